using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace MerFactory.Llm.Tests.Fakes;

/// <summary>
/// Gemini API (v1beta) as documented: generateContent with x-goog-api-key, inline_data/file_data parts, generationConfig,
/// File API resumable upload (start → upload, finalize) and file polling; errors as google.rpc.Status bodies.
/// </summary>
public sealed class FakeGemini : ProviderFake
{
    private static readonly HashSet<string> GenerationKeys = ["temperature", "maxOutputTokens", "topP", "topK", "seed", "candidateCount", "stopSequences", "responseMimeType"];
    private static readonly HashSet<string> AcceptedMime =
        ["image/png", "image/jpeg", "image/webp", "audio/wav", "audio/mpeg", "audio/mp3", "audio/flac", "audio/aac", "audio/ogg", "video/mp4", "video/mpeg", "video/quicktime", "video/webm"];

    private readonly ConcurrentDictionary<string, (string Mime, long Size)> _pendingUploads = new();
    private readonly ConcurrentDictionary<string, (string Mime, string Sha, string State)> _files = new();
    private int _ids;

    public string ApiKey { get; init; } = "test-google-key";
    public int UploadCount => _files.Count;
    public int FilePolls;

    public FakeGemini() => Models.UnionWith(["gemini-2.5-flash", "gemini-2.5-pro", "gemini-2.0-flash-lite"]);

    protected override async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        if (context.Request.Headers["x-goog-api-key"] != ApiKey && !(path.StartsWith("/upload/", StringComparison.Ordinal) && context.Request.Query.ContainsKey("upload_id")))
        {
            await RejectAsync(context, 400, "bad key", Error(400, "API key not valid. Please pass a valid API key.", "INVALID_ARGUMENT"));
            return;
        }
        if (path == "/upload/v1beta/files" && context.Request.Method == "POST") { await UploadAsync(context); return; }
        if (path.StartsWith("/v1beta/files/", StringComparison.Ordinal) && context.Request.Method == "GET") { await GetFileAsync(context, path["/v1beta/".Length..]); return; }
        const string prefix = "/v1beta/models/";
        if (context.Request.Method == "POST" && path.StartsWith(prefix, StringComparison.Ordinal) && path.EndsWith(":generateContent", StringComparison.Ordinal))
        {
            await GenerateAsync(context, path[prefix.Length..^":generateContent".Length]);
            return;
        }
        await RejectAsync(context, 404, $"unknown path {path}", Error(404, $"Method not found: {path}", "NOT_FOUND"));
    }

    private async Task GenerateAsync(HttpContext context, string model)
    {
        switch (NextFault())
        {
            case Fault.RateLimited:
                context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                context.Response.StatusCode = 429;
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(new JsonObject
                {
                    ["error"] = new JsonObject
                    {
                        ["code"] = 429, ["message"] = "Resource has been exhausted (e.g. check quota).", ["status"] = "RESOURCE_EXHAUSTED",
                        ["details"] = new JsonArray(new JsonObject { ["@type"] = "type.googleapis.com/google.rpc.RetryInfo", ["retryDelay"] = $"{RetryAfterSeconds}s" }),
                    },
                }.ToJsonString());
                return;
            case Fault.ServerError:
                context.Response.StatusCode = 500;
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(Error(500, "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting", "INTERNAL"));
                return;
            case Fault.Hang:
                await HangAsync(context);
                return;
            case Fault.MalformedJson or Fault.TruncatedStream:
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("""{"candidates": [{"content": {"parts": [{"text": "The person appears""");
                return;
            case Fault.BadRequest:
                await RejectAsync(context, 400, "scripted bad request", Error(400, "Request contains an invalid argument.", "INVALID_ARGUMENT"));
                return;
        }

        if (!Models.Contains(model))
        {
            await RejectAsync(context, 404, $"unknown model {model}", Error(404, $"models/{model} is not found for API version v1beta, or is not supported for generateContent.", "NOT_FOUND"));
            return;
        }
        var body = await ReadJsonAsync(context);
        var problem = Validate(body, out var texts, out var media, out var generation);
        if (problem is not null)
        {
            await RejectAsync(context, 400, problem, Error(400, $"Invalid JSON payload received. {problem}", "INVALID_ARGUMENT"));
            return;
        }
        Calls.Enqueue(new RecordedCall(model, texts, media, generation));
        var answer = $"Gemini {model} read {texts.Count} text part(s) and {media.Count} media part(s): {string.Join(", ", media.Select(m => m.Mime))}.";
        var response = new JsonObject
        {
            ["candidates"] = new JsonArray(new JsonObject
            {
                ["content"] = new JsonObject { ["parts"] = new JsonArray(new JsonObject { ["text"] = answer }), ["role"] = "model" },
                ["finishReason"] = "STOP",
                ["index"] = 0,
            }),
            ["usageMetadata"] = new JsonObject { ["promptTokenCount"] = 100 + 258 * media.Count, ["candidatesTokenCount"] = 42, ["totalTokenCount"] = 142 + 258 * media.Count },
            ["modelVersion"] = model,
            ["responseId"] = Guid.NewGuid().ToString("N"),
        };
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(response.ToJsonString());
    }

    private string? Validate(JsonObject? body, out List<string> texts, out List<RecordedMedia> media, out JsonObject generation)
    {
        texts = [];
        media = [];
        generation = new JsonObject();
        if (body is null) return "body is not a JSON object";
        if (body["contents"] is not JsonArray { Count: > 0 } contents) return "contents must be a non-empty array";
        foreach (var content in contents)
        {
            if (content is not JsonObject c) return "content must be an object";
            if (c["role"]?.GetValue<string>() is not ("user" or "model")) return "role must be user or model";
            if (c["parts"] is not JsonArray { Count: > 0 } parts) return "parts must be a non-empty array";
            foreach (var part in parts.OfType<JsonObject>())
            {
                var inline = (part["inline_data"] ?? part["inlineData"]) as JsonObject;
                var file = (part["file_data"] ?? part["fileData"]) as JsonObject;
                var text = part["text"]?.GetValue<string>();
                if ((text is null ? 0 : 1) + (inline is null ? 0 : 1) + (file is null ? 0 : 1) != 1) return "each part needs exactly one of text, inline_data, file_data";
                if (text is not null) texts.Add(text);
                if (inline is not null)
                {
                    var mime = (inline["mime_type"] ?? inline["mimeType"])?.GetValue<string>();
                    var bytes = DecodeBase64(inline["data"]?.GetValue<string>());
                    if (mime is null || !AcceptedMime.Contains(mime)) return $"unsupported MIME type {mime}";
                    if (bytes is null) return "inline_data.data is not valid base64";
                    if (!MediaSniffer.Matches(mime, bytes)) return $"inline_data bytes are not {mime}";
                    media.Add(new RecordedMedia(mime, Sha(bytes), "inline"));
                }
                if (file is not null)
                {
                    var uri = (file["file_uri"] ?? file["fileUri"])?.GetValue<string>() ?? "";
                    var name = uri.Contains("/v1beta/", StringComparison.Ordinal) ? uri[(uri.IndexOf("/v1beta/", StringComparison.Ordinal) + 8)..] : "";
                    if (!_files.TryGetValue(name, out var stored)) return $"file {uri} does not exist";
                    if (stored.State != "ACTIVE") return $"file {uri} is not in an ACTIVE state";
                    media.Add(new RecordedMedia(stored.Mime, stored.Sha, "file"));
                }
            }
        }
        if (body["generationConfig"] is JsonObject config)
        {
            foreach (var (key, value) in config)
            {
                if (!GenerationKeys.Contains(key)) return $"Unknown name \"{key}\" at 'generation_config'";
                generation[key] = value?.DeepClone();
            }
            if (config["temperature"] is JsonValue t && (t.GetValue<double>() < 0 || t.GetValue<double>() > 2)) return "temperature must be in [0, 2]";
        }
        if (body["systemInstruction"] is JsonObject system)
            texts.Insert(0, "[system] " + string.Join(" ", (system["parts"] as JsonArray ?? []).Select(p => p?["text"]?.GetValue<string>())));
        return null;
    }

    private async Task UploadAsync(HttpContext context)
    {
        var h = context.Request.Headers;
        if (context.Request.Query.TryGetValue("upload_id", out var id))
        {
            if (h["X-Goog-Upload-Command"] != "upload, finalize" || h["X-Goog-Upload-Offset"] != "0" || !_pendingUploads.TryRemove(id!, out var pending))
            {
                await RejectAsync(context, 400, "bad upload request", Error(400, "Bad upload request.", "INVALID_ARGUMENT"));
                return;
            }
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            var bytes = buffer.ToArray();
            if (bytes.Length != pending.Size || !MediaSniffer.Matches(pending.Mime, bytes))
            {
                await RejectAsync(context, 400, "upload size or type mismatch", Error(400, "Upload size or content type mismatch.", "INVALID_ARGUMENT"));
                return;
            }
            var name = $"files/f{id}";
            // Video goes through processing first, as on the real service.
            var state = pending.Mime.StartsWith("video/", StringComparison.Ordinal) ? "PROCESSING" : "ACTIVE";
            _files[name] = (pending.Mime, Sha(bytes), state);
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(new JsonObject { ["file"] = FileJson(name) }.ToJsonString());
            return;
        }
        var json = await ReadJsonAsync(context);
        if (h["X-Goog-Upload-Protocol"] != "resumable" || h["X-Goog-Upload-Command"] != "start"
            || !long.TryParse(h["X-Goog-Upload-Header-Content-Length"], out var size) || string.IsNullOrEmpty(h["X-Goog-Upload-Header-Content-Type"])
            || json?["file"] is not JsonObject)
        {
            await RejectAsync(context, 400, "bad upload start", Error(400, "Bad upload start request.", "INVALID_ARGUMENT"));
            return;
        }
        var uploadId = Interlocked.Increment(ref _ids).ToString(System.Globalization.CultureInfo.InvariantCulture);
        _pendingUploads[uploadId] = (h["X-Goog-Upload-Header-Content-Type"]!, size);
        context.Response.Headers["x-goog-upload-url"] = new Uri(BaseUrl, $"upload/v1beta/files?upload_id={uploadId}").AbsoluteUri;
        context.Response.Headers["x-goog-upload-status"] = "active";
    }

    private async Task GetFileAsync(HttpContext context, string name)
    {
        if (!_files.TryGetValue(name, out var file))
        {
            await RejectAsync(context, 404, $"no file {name}", Error(404, "File not found.", "NOT_FOUND"));
            return;
        }
        Interlocked.Increment(ref FilePolls);
        if (file.State == "PROCESSING") _files[name] = file with { State = "ACTIVE" };
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(FileJson(name).ToJsonString());
    }

    private JsonObject FileJson(string name)
    {
        var f = _files[name];
        return new JsonObject
        {
            ["name"] = name, ["mimeType"] = f.Mime, ["sha256Hash"] = f.Sha, ["state"] = f.State,
            ["uri"] = new Uri(BaseUrl, "v1beta/" + name).AbsoluteUri,
        };
    }

    private static string Error(int code, string message, string status) =>
        new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message, ["status"] = status } }.ToJsonString();
}
