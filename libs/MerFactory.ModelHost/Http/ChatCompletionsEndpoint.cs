using System.Text.Json;
using System.Text.Json.Nodes;
using MerFactory.ModelHost.Serving;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace MerFactory.ModelHost.Http;

/// <summary><c>POST /v1/chat/completions</c>, streamed as server-sent events or answered whole, in OpenAI's shapes.</summary>
internal static class ChatCompletionsEndpoint
{
    public static async Task<IResult> HandleAsync(HttpContext context, LocalModelHost host, IOptions<ModelHostOptions> options)
    {
        var aborted = context.RequestAborted;
        ChatRun run;
        ChatRequest request;
        try
        {
            using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: aborted);
            request = ChatRequestReader.Read(body.RootElement, options.Value.DefaultMaxTokens);
            var model = request.Model.Length > 0 ? request.Model : options.Value.DefaultModel
                ?? throw new InvalidChatRequestException("'model' is required (the host has no default model)", "model");
            run = await host.StartChatAsync(model, request.Messages, request.Settings, aborted);
        }
        catch (JsonException ex)
        {
            return OpenAiErrors.Error(400, $"the body is not valid JSON: {ex.Message}", "invalid_request_error", "invalid_json");
        }
        catch (Exception ex) when (OpenAiErrors.ToResult(ex, context) is { } error)
        {
            return error;
        }

        using (run)
        {
            var id = "chatcmpl-" + Guid.NewGuid().ToString("N");
            var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            if (!request.Stream)
            {
                var text = new System.Text.StringBuilder();
                await foreach (var piece in run.Pieces(aborted)) text.Append(piece);
                return Results.Json(new JsonObject
                {
                    ["id"] = id, ["object"] = "chat.completion", ["created"] = created, ["model"] = run.Model,
                    ["choices"] = new JsonArray(new JsonObject
                    {
                        ["index"] = 0,
                        ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = text.ToString() },
                        ["finish_reason"] = FinishReason(run),
                    }),
                    ["usage"] = Usage(run),
                });
            }

            context.Response.ContentType = "text/event-stream";
            context.Response.Headers.CacheControl = "no-cache";
            await WriteEventAsync(context, Chunk(id, created, run.Model, new JsonObject { ["role"] = "assistant", ["content"] = "" }, null), aborted);
            await foreach (var piece in run.Pieces(aborted))
                await WriteEventAsync(context, Chunk(id, created, run.Model, new JsonObject { ["content"] = piece }, null), aborted);
            await WriteEventAsync(context, Chunk(id, created, run.Model, new JsonObject(), FinishReason(run)), aborted);
            if (request.IncludeUsage)
            {
                var usage = Chunk(id, created, run.Model, null, null);
                usage["choices"] = new JsonArray();
                usage["usage"] = Usage(run);
                await WriteEventAsync(context, usage, aborted);
            }
            await context.Response.WriteAsync("data: [DONE]\n\n", aborted);
            return Results.Empty;
        }
    }

    private static string FinishReason(ChatRun run) => run.Usage.HitTokenLimit ? "length" : "stop";

    private static JsonObject Usage(ChatRun run) => new()
    {
        ["prompt_tokens"] = run.Usage.PromptTokens,
        ["completion_tokens"] = run.Usage.CompletionTokens,
        ["total_tokens"] = run.Usage.PromptTokens + run.Usage.CompletionTokens,
    };

    private static JsonObject Chunk(string id, long created, string model, JsonObject? delta, string? finishReason)
    {
        var chunk = new JsonObject { ["id"] = id, ["object"] = "chat.completion.chunk", ["created"] = created, ["model"] = model };
        if (delta is not null)
            chunk["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finishReason });
        return chunk;
    }

    private static async Task WriteEventAsync(HttpContext context, JsonObject chunk, CancellationToken cancellationToken)
    {
        await context.Response.WriteAsync("data: " + chunk.ToJsonString() + "\n\n", cancellationToken);
        await context.Response.Body.FlushAsync(cancellationToken);
    }
}
