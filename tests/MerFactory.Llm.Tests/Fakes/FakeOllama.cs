using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace MerFactory.Llm.Tests.Fakes;

/// <summary>
/// Ollama /api/chat as documented: {"model","messages":[{"role","content","images":[base64]}],"stream","options"}; streamed
/// NDJSON chunks with a final {"done":true,"done_reason","prompt_eval_count","eval_count",...}; errors {"error":"..."}.
/// </summary>
public sealed class FakeOllama : ProviderFake
{
    private static readonly HashSet<string> OptionKeys = ["temperature", "num_predict", "top_p", "top_k", "seed", "num_ctx", "stop"];

    public FaultScript StreamFaults { get; } = new();

    /// <summary>Writes the assistant's answer for a valid request; null = a description of what was received.</summary>
    public Func<RecordedCall, string>? Answer { get; set; }

    public FakeOllama() => Models.UnionWith(["llava:13b", "llama3.2:latest", "llama3.2", "gemma3:4b"]);

    protected override async Task HandleAsync(HttpContext context)
    {
        if (context.Request.Path != "/api/chat" || context.Request.Method != "POST")
        {
            context.Response.StatusCode = 404;
            await context.Response.WriteAsync("404 page not found");
            return;
        }
        switch (NextFault())
        {
            case Fault.ServerError or Fault.RateLimited:
                context.Response.StatusCode = 500;
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("""{"error":"llama runner process has terminated: signal: killed"}""");
                return;
            case Fault.Hang:
                await HangAsync(context);
                return;
        }
        var body = await ReadJsonAsync(context);
        var model = body?["model"]?.GetValue<string>();
        if (body is null || model is null)
        {
            await RejectAsync(context, 400, "bad body", """{"error":"model is required"}""");
            return;
        }
        if (!Models.Contains(model))
        {
            await RejectAsync(context, 404, $"unknown model {model}", $$"""{"error":"model \"{{model}}\" not found, try pulling it first"}""");
            return;
        }
        var texts = new List<string>();
        var media = new List<RecordedMedia>();
        foreach (var message in (body["messages"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (message["role"]?.GetValue<string>() is not ("system" or "user" or "assistant" or "tool"))
            {
                await RejectAsync(context, 400, "bad role", """{"error":"invalid role"}""");
                return;
            }
            texts.Add(message["content"]?.GetValue<string>() ?? "");
            foreach (var image in (message["images"] as JsonArray ?? []))
            {
                var bytes = DecodeBase64(image?.GetValue<string>());
                var kind = bytes is null ? null : MediaSniffer.Sniff(bytes);
                if (kind is not ("image/png" or "image/jpeg"))
                {
                    await RejectAsync(context, 400, "bad image", """{"error":"illegal base64 data at input byte 0"}""");
                    return;
                }
                media.Add(new RecordedMedia(kind, Sha(bytes!), "images"));
            }
        }
        var parameters = new JsonObject();
        if (body["options"] is JsonObject options)
        {
            foreach (var (key, value) in options)
            {
                if (value is null) continue;
                if (!OptionKeys.Contains(key)) continue; // Ollama ignores unknown options with a warning
                parameters[key] = value.DeepClone();
            }
        }
        var call = new RecordedCall(model, texts, media, parameters);
        Calls.Enqueue(call);
        var answer = Answer?.Invoke(call) ?? $"{model} saw {media.Count} image(s) with prompt of {texts.Sum(t => t.Length)} chars.";
        var streamFault = StreamFaults.Next();
        var stream = body["stream"]?.GetValue<bool>() ?? true;

        JsonObject Chunk(string content, bool done)
        {
            var chunk = new JsonObject
            {
                ["model"] = model, ["created_at"] = DateTimeOffset.UtcNow.ToString("O"),
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = content }, ["done"] = done,
            };
            if (done)
            {
                chunk["done_reason"] = "stop";
                chunk["total_duration"] = 1_234_567_890L; chunk["load_duration"] = 12_345_678L;
                chunk["prompt_eval_count"] = 30 + 576 * media.Count; chunk["prompt_eval_duration"] = 100_000_000L;
                chunk["eval_count"] = 17; chunk["eval_duration"] = 900_000_000L;
            }
            return chunk;
        }

        context.Response.ContentType = stream ? "application/x-ndjson" : "application/json";
        if (!stream)
        {
            await context.Response.WriteAsync(Chunk(answer, true).ToJsonString());
            return;
        }
        var words = answer.Split(' ');
        for (var i = 0; i < words.Length; i++)
        {
            if (streamFault == Fault.TruncatedStream && i == 3) return;
            if (streamFault == Fault.MalformedJson && i == 2)
            {
                await context.Response.WriteAsync("{\"model\":\"" + model + "\",\"message\":{\"role\":\"assis\n");
                return;
            }
            await context.Response.WriteAsync(Chunk((i == 0 ? "" : " ") + words[i], false).ToJsonString() + "\n");
            await context.Response.Body.FlushAsync();
        }
        await context.Response.WriteAsync(Chunk("", true).ToJsonString() + "\n");
    }
}
