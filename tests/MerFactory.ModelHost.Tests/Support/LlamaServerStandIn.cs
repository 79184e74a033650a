using System.Text.Json.Nodes;
using MerFactory.Llm.Tests.Fakes;
using Microsoft.AspNetCore.Http;

namespace MerFactory.ModelHost.Tests.Support;

/// <summary>
/// A loopback stand-in for llama.cpp's <c>llama-server -m model.gguf</c> (no mmproj) as its README documents it:
/// <c>GET /health</c> {"status":"ok"}, <c>GET /v1/models</c>, <c>GET /props</c> with "modalities", and
/// <c>POST /v1/chat/completions</c> streamed with its extra fields ("timings"), refusing image/audio parts with 400
/// "image input is not supported - hint: if this is unexpected, you may need to provide the mmproj".
/// Its answer is a fixed word sequence derived from the prompt, so tests can tell it came from here.
/// </summary>
public sealed class LlamaServerStandIn(string alias) : LoopbackServer
{
    public string Alias { get; } = alias;

    /// <summary>What the stand-in answers to a prompt of <paramref name="promptChars"/> characters.</summary>
    public static string AnswerFor(int promptChars) => $"llama-server stand-in read {promptChars} prompt characters";

    protected override Task HandleAsync(HttpContext context) => (context.Request.Method, context.Request.Path.Value) switch
    {
        ("GET", "/health") => context.Response.WriteAsJsonAsync(new JsonObject { ["status"] = "ok" }),
        ("GET", "/v1/models") => context.Response.WriteAsJsonAsync(new JsonObject
        {
            ["object"] = "list",
            ["data"] = new JsonArray(new JsonObject { ["id"] = Alias, ["object"] = "model", ["created"] = 0, ["owned_by"] = "llamacpp", ["meta"] = new JsonObject { ["n_ctx_train"] = 512 } }),
        }),
        ("GET", "/props") => context.Response.WriteAsJsonAsync(new JsonObject { ["total_slots"] = 1, ["model_path"] = Alias, ["modalities"] = new JsonObject { ["vision"] = false, ["audio"] = false } }),
        ("POST", "/v1/chat/completions") => ChatAsync(context),
        _ => RejectAsync(context, 404, $"unknown path {context.Request.Path}", """{"error":{"code":404,"message":"File Not Found","type":"not_found_error"}}"""),
    };

    private async Task ChatAsync(HttpContext context)
    {
        var body = await JsonNode.ParseAsync(context.Request.Body) as JsonObject;
        var messages = body?["messages"] as JsonArray;
        if (messages is null)
        {
            await ErrorAsync(context, "'messages' is required");
            return;
        }
        var promptChars = 0;
        foreach (var message in messages.OfType<JsonObject>())
        {
            if (message["content"] is JsonValue text) promptChars += text.GetValue<string>().Length;
            else foreach (var part in (message["content"] as JsonArray ?? []).OfType<JsonObject>())
            {
                var type = part["type"]?.GetValue<string>();
                if (type is "image_url" or "input_audio")
                {
                    await ErrorAsync(context, $"{(type == "image_url" ? "image" : "audio")} input is not supported - hint: if this is unexpected, you may need to provide the mmproj");
                    return;
                }
                promptChars += part["text"]?.GetValue<string>().Length ?? 0;
            }
        }
        var words = AnswerFor(promptChars).Split(' ');
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        if (body?["stream"]?.GetValue<bool>() != true)
        {
            await context.Response.WriteAsJsonAsync(new JsonObject
            {
                ["id"] = "chatcmpl-standin", ["object"] = "chat.completion", ["created"] = created, ["model"] = Alias, ["system_fingerprint"] = "b6000-standin",
                ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["finish_reason"] = "stop", ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = string.Join(' ', words) } }),
                ["usage"] = new JsonObject { ["prompt_tokens"] = promptChars, ["completion_tokens"] = words.Length, ["total_tokens"] = promptChars + words.Length },
                ["timings"] = new JsonObject { ["predicted_n"] = words.Length },
            });
            return;
        }
        context.Response.ContentType = "text/event-stream";
        for (var i = 0; i < words.Length; i++)
        {
            var delta = new JsonObject { ["content"] = (i == 0 ? "" : " ") + words[i] };
            await WriteAsync(context, Chunk(created, delta, null));
        }
        var last = Chunk(created, new JsonObject(), "stop");
        last["usage"] = new JsonObject { ["prompt_tokens"] = promptChars, ["completion_tokens"] = words.Length, ["total_tokens"] = promptChars + words.Length };
        last["timings"] = new JsonObject { ["predicted_n"] = words.Length };
        await WriteAsync(context, last);
        await context.Response.WriteAsync("data: [DONE]\n\n");
    }

    private JsonObject Chunk(long created, JsonObject delta, string? finish) => new()
    {
        ["id"] = "chatcmpl-standin", ["object"] = "chat.completion.chunk", ["created"] = created, ["model"] = Alias, ["system_fingerprint"] = "b6000-standin",
        ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finish }),
    };

    private static async Task WriteAsync(HttpContext context, JsonObject chunk)
    {
        await context.Response.WriteAsync("data: " + chunk.ToJsonString() + "\n\n");
        await context.Response.Body.FlushAsync();
    }

    private static async Task ErrorAsync(HttpContext context, string message)
    {
        context.Response.StatusCode = 400;
        await context.Response.WriteAsJsonAsync(new JsonObject { ["error"] = new JsonObject { ["code"] = 400, ["message"] = message, ["type"] = "invalid_request_error" } });
    }
}
