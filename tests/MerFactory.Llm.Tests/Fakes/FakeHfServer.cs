using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace MerFactory.Llm.Tests.Fakes;

/// <summary>The hf-server protocol (POST /predict, {"method","params"} → {"result"} | {"error"}) serving one model.</summary>
public sealed class FakeHfServer(string servedModel) : ProviderFake
{
    private static readonly Dictionary<string, string?> MethodMedia = new()
    {
        ["describe_image"] = "image", ["analyze_audio"] = "audio", ["describe_video"] = "video",
        ["describe_facial_expression"] = null, ["synthesize_summary"] = null,
    };

    /// <summary>Answer "" like MER-Factory's models do for methods they lack.</summary>
    public bool AnswerEmpty { get; set; }

    protected override async Task HandleAsync(HttpContext context)
    {
        if (context.Request.Path != "/predict" || context.Request.Method != "POST")
        {
            await RejectAsync(context, 404, "unknown path", """{"error":"Not Found"}""");
            return;
        }
        switch (NextFault())
        {
            case Fault.ServerError or Fault.RateLimited:
                context.Response.StatusCode = 500;
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("""{"error":"CUDA out of memory. Tried to allocate 2.00 GiB"}""");
                return;
            case Fault.Hang:
                await HangAsync(context);
                return;
            case Fault.MalformedJson or Fault.TruncatedStream:
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("""{"result": "A person smil""");
                return;
        }
        var body = await ReadJsonAsync(context);
        var method = body?["method"]?.GetValue<string>();
        var parameters = body?["params"] as JsonObject;
        if (method is null || parameters is null)
        {
            await RejectAsync(context, 200, "bad payload", """{"error":"Invalid payload: expected {\"method\", \"params\"}"}""");
            return;
        }
        if (!MethodMedia.TryGetValue(method, out var needs))
        {
            await RejectAsync(context, 200, $"unknown method {method}", $$"""{"error":"Unknown method '{{method}}'"}""");
            return;
        }
        var model = parameters["model_id"]?.GetValue<string>();
        if (model != servedModel)
        {
            await RejectAsync(context, 200, $"wrong model {model}", $$"""{"error":"This server hosts '{{servedModel}}', not '{{model}}'"}""");
            return;
        }
        var prompt = parameters["prompt"]?.GetValue<string>();
        if (string.IsNullOrEmpty(prompt))
        {
            await RejectAsync(context, 200, "no prompt", """{"error":"Invalid payload: params.prompt is required"}""");
            return;
        }
        var media = new List<RecordedMedia>();
        foreach (var item in (parameters["media"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var kind = item["kind"]?.GetValue<string>();
            var mime = item["mime_type"]?.GetValue<string>() ?? "";
            var bytes = DecodeBase64(item["data"]?.GetValue<string>());
            if (bytes is null || !MediaSniffer.Matches(mime, bytes) || !mime.StartsWith(kind + "/", StringComparison.Ordinal))
            {
                await RejectAsync(context, 200, "bad media", """{"error":"Invalid payload: media item is not valid"}""");
                return;
            }
            media.Add(new RecordedMedia(mime, Sha(bytes), kind!));
        }
        if (needs is not null && !media.Any(m => m.Via == needs))
        {
            await RejectAsync(context, 200, $"{method} without {needs}", $$"""{"error":"{{method}} needs {{needs}} media"}""");
            return;
        }
        var echo = new JsonObject();
        foreach (var key in new[] { "max_new_tokens", "temperature", "image_path", "audio_path", "video_path" })
            if (parameters[key] is { } v) echo[key] = v.DeepClone();
        Calls.Enqueue(new RecordedCall(model, [prompt], media, echo, method));
        context.Response.ContentType = "application/json";
        var result = AnswerEmpty ? "" : $"{servedModel} ran {method} on {media.Count} media item(s).";
        await context.Response.WriteAsync(new JsonObject { ["result"] = result, ["usage"] = new JsonObject { ["input_tokens"] = 64, ["output_tokens"] = 12 } }.ToJsonString());
    }
}
