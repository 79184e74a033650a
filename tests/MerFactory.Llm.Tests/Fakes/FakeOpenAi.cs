using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace MerFactory.Llm.Tests.Fakes;

/// <summary>
/// OpenAI chat completions as documented (also what vLLM/llama.cpp/LM Studio serve): Bearer auth, content parts
/// text / image_url (data URL) / input_audio {data, format wav|mp3}, streaming as SSE chunks ending in data: [DONE];
/// errors as {"error":{"message","type","param","code"}}.
/// </summary>
public sealed class FakeOpenAi : ProviderFake
{
    private static readonly HashSet<string> TopLevelKeys =
        ["model", "messages", "stream", "stream_options", "temperature", "top_p", "seed", "max_tokens", "max_completion_tokens", "n", "stop", "user"];
    private static readonly HashSet<string> ImageMime = ["image/png", "image/jpeg", "image/gif", "image/webp"];

    /// <summary>Null: accept requests without Authorization (a local OpenAI-compatible server).</summary>
    public string? ApiKey { get; init; } = "sk-test-openai-key";
    public string PathPrefix { get; init; } = "/v1";
    public bool SawAuthorizationHeader { get; private set; }

    /// <summary>Echo the presented key in the 401 message (some servers do) to prove the gateway masks it.</summary>
    public bool EchoKeyInErrors { get; set; }

    /// <summary>Writes the assistant's answer for a valid request; null = a description of what was received.</summary>
    public Func<RecordedCall, string>? Answer { get; set; }

    /// <summary>Simulated model latency before answering (a real model takes seconds).</summary>
    public TimeSpan Latency { get; set; }

    private int _inFlight;
    private int _peakInFlight;

    /// <summary>Most valid requests the fake answered at one time (during their <see cref="Latency"/>) since the last call; starts over.</summary>
    public int TakePeakConcurrentCalls() => Interlocked.Exchange(ref _peakInFlight, Volatile.Read(ref _inFlight));

    /// <summary>Raised for every valid request, before answering.</summary>
    public event Action<RecordedCall>? CallReceived;

    public FakeOpenAi() => Models.UnionWith(["gpt-4o", "gpt-4o-mini", "gpt-4o-audio-preview", "gpt-4.1"]);

    /// <summary>Models that answer 400 "does not support image input" to an image part (a text-only model on a local server).</summary>
    public HashSet<string> TextOnlyModels { get; } = new(StringComparer.Ordinal);

    /// <summary>Extra fields of a model's entry in <c>GET /v1/models</c> (e.g. OpenRouter's architecture.input_modalities).</summary>
    public Dictionary<string, JsonObject> ModelInfo { get; } = new(StringComparer.Ordinal);

    protected override async Task HandleAsync(HttpContext context)
    {
        if (context.Request.Path == PathPrefix + "/models" && context.Request.Method == "GET")
        {
            context.Response.ContentType = "application/json";
            var data = new JsonArray([.. Models.Order(StringComparer.Ordinal).Select(m =>
            {
                var entry = new JsonObject { ["id"] = m, ["object"] = "model", ["owned_by"] = "fake" };
                foreach (var (key, value) in ModelInfo.GetValueOrDefault(m) ?? []) entry[key] = value?.DeepClone();
                return (JsonNode)entry;
            })]);
            await context.Response.WriteAsync(new JsonObject { ["object"] = "list", ["data"] = data }.ToJsonString());
            return;
        }
        if (context.Request.Path != PathPrefix + "/chat/completions" || context.Request.Method != "POST")
        {
            await RejectAsync(context, 404, $"unknown path {context.Request.Path}", Error($"Invalid URL (POST {context.Request.Path})", "invalid_request_error", null));
            return;
        }
        var auth = context.Request.Headers.Authorization.ToString();
        SawAuthorizationHeader |= auth.Length > 0;
        if (ApiKey is not null && auth != "Bearer " + ApiKey)
        {
            await RejectAsync(context, 401, "bad key", Error($"Incorrect API key provided: {(EchoKeyInErrors ? auth["Bearer ".Length..] : "sk-****")}. You can find your API key at https://platform.openai.com/account/api-keys.", "invalid_request_error", "invalid_api_key"));
            return;
        }

        switch (NextFault())
        {
            case Fault.RateLimited:
                context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                context.Response.StatusCode = 429;
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(Error($"Rate limit reached for requests. Please try again in {RetryAfterSeconds}s.", "requests", "rate_limit_exceeded"));
                return;
            case Fault.ServerError:
                context.Response.StatusCode = 500;
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(Error("The server had an error while processing your request. Sorry about that!", "server_error", null));
                return;
            case Fault.Hang:
                await HangAsync(context);
                return;
            case Fault.BadRequest:
                await RejectAsync(context, 400, "scripted", Error("Invalid request.", "invalid_request_error", null));
                return;
        }
        var body = await ReadJsonAsync(context);
        var problem = Validate(body, out var call);
        if (problem is not null)
        {
            await RejectAsync(context, 400, problem, Error(problem, "invalid_request_error", null));
            return;
        }
        ArgumentNullException.ThrowIfNull(call);
        Calls.Enqueue(call);
        CallReceived?.Invoke(call!);
        var inFlight = Interlocked.Increment(ref _inFlight);
        MerFactory.Testing.Peaks.RaiseTo(ref _peakInFlight, inFlight);
        try
        {
            if (Latency > TimeSpan.Zero) await Task.Delay(Latency, context.RequestAborted);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
        var answer = Answer?.Invoke(call!)
            ?? $"{call!.Model} read {call.Texts.Count} text part(s) and {call.Media.Count} media part(s): {string.Join(", ", call.Media.Select(m => m.Via))}.";
        var id = "chatcmpl-" + Guid.NewGuid().ToString("N")[..20];
        var stream = body!["stream"]?.GetValue<bool>() == true;
        var streamFault = StreamFaults.Next();
        if (!stream)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(new JsonObject
            {
                ["id"] = id, ["object"] = "chat.completion", ["model"] = call.Model,
                ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = answer }, ["finish_reason"] = "stop" }),
                ["usage"] = new JsonObject { ["prompt_tokens"] = 50, ["completion_tokens"] = 20, ["total_tokens"] = 70 },
            }.ToJsonString());
            return;
        }

        context.Response.ContentType = "text/event-stream";
        async Task Send(string data)
        {
            await context.Response.WriteAsync("data: " + data + "\n\n");
            await context.Response.Body.FlushAsync();
        }
        JsonObject Chunk(JsonObject? delta, string? finish) => new()
        {
            ["id"] = id, ["object"] = "chat.completion.chunk", ["created"] = 1_760_000_000, ["model"] = call.Model,
            ["choices"] = delta is null && finish is null ? new JsonArray()
                : new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta ?? new JsonObject(), ["finish_reason"] = finish }),
        };

        await Send(Chunk(new JsonObject { ["role"] = "assistant", ["content"] = "" }, null).ToJsonString());
        var pieces = Split(answer, 3);
        for (var i = 0; i < pieces.Length; i++)
        {
            if (streamFault == Fault.TruncatedStream && i == 2) return; // connection closes mid-answer
            if (streamFault == Fault.MalformedJson && i == 1)
            {
                await Send("{\"id\":\"" + id + "\",\"object\":\"chat.compl");
                return;
            }
            if (streamFault == Fault.ErrorEvent && i == 1)
            {
                // What vLLM/OpenRouter send when generation fails after the 200: an error event, then the stream ends.
                var error = JsonNode.Parse(Error(StreamErrorMessage, "server_error", null))!;
                if (StreamErrorCode is { } code) error["error"]!["code"] = code;
                await Send(error.ToJsonString());
                return;
            }
            await Send(Chunk(new JsonObject { ["content"] = pieces[i] }, null).ToJsonString());
        }
        await Send(Chunk(null, "stop").ToJsonString());
        if (body["stream_options"]?["include_usage"]?.GetValue<bool>() == true)
        {
            var usage = Chunk(null, null);
            usage["usage"] = new JsonObject { ["prompt_tokens"] = 50 + 85 * call.Media.Count, ["completion_tokens"] = 20, ["total_tokens"] = 70 + 85 * call.Media.Count };
            await Send(usage.ToJsonString());
        }
        await Send("[DONE]");
    }

    /// <summary>The message of a <see cref="Fault.ErrorEvent"/>, and the HTTP status some servers put in its code.</summary>
    public string StreamErrorMessage { get; set; } = "The model crashed while generating (CUDA out of memory).";
    public int? StreamErrorCode { get; set; }

    /// <summary>Faults inside a 200 stream (truncation, malformed chunk, error event), taken per valid request.</summary>
    public FaultScript StreamFaults { get; } = new();

    private string? Validate(JsonObject? body, out RecordedCall? call)
    {
        call = null;
        if (body is null) return "We could not parse the JSON body of your request.";
        foreach (var (key, _) in body)
            if (!TopLevelKeys.Contains(key)) return $"Unrecognized request argument supplied: {key}";
        var model = body["model"]?.GetValue<string>();
        if (model is null) return "you must provide a model parameter";
        if (!Models.Contains(model)) return $"The model `{model}` does not exist or you do not have access to it.";
        if (body["messages"] is not JsonArray { Count: > 0 } messages) return "'messages' must be a non-empty array";
        var texts = new List<string>();
        var media = new List<RecordedMedia>();
        foreach (var message in messages.OfType<JsonObject>())
        {
            var role = message["role"]?.GetValue<string>();
            if (role is not ("system" or "user" or "assistant")) return $"Invalid value: '{role}' for messages[].role";
            switch (message["content"])
            {
                case JsonValue v:
                    texts.Add((role == "system" ? "[system] " : "") + v.GetValue<string>());
                    break;
                case JsonArray parts:
                    foreach (var part in parts.OfType<JsonObject>())
                    {
                        switch (part["type"]?.GetValue<string>())
                        {
                            case "text":
                                texts.Add(part["text"]?.GetValue<string>() ?? "");
                                break;
                            case "image_url":
                                if (TextOnlyModels.Contains(model)) return $"Model {model} does not support image input.";
                                var url = part["image_url"]?["url"]?.GetValue<string>() ?? "";
                                if (!url.StartsWith("data:", StringComparison.Ordinal) || !url.Contains(";base64,", StringComparison.Ordinal)) return "image_url.url must be a URL or a base64 data URL";
                                var mime = url[5..url.IndexOf(';', StringComparison.Ordinal)];
                                var bytes = DecodeBase64(url[(url.IndexOf(',', StringComparison.Ordinal) + 1)..]);
                                if (!ImageMime.Contains(mime) || bytes is null || !MediaSniffer.Matches(mime, bytes))
                                    return "You uploaded an unsupported image. Please make sure your image has one of the following formats: ['png', 'jpeg', 'gif', 'webp'].";
                                media.Add(new RecordedMedia(mime, Sha(bytes), "data-url"));
                                break;
                            case "input_audio":
                                if (!model.Contains("audio", StringComparison.Ordinal)) return "This model does not support audio input.";
                                var format = part["input_audio"]?["format"]?.GetValue<string>();
                                var audio = DecodeBase64(part["input_audio"]?["data"]?.GetValue<string>());
                                if (format is not ("wav" or "mp3")) return $"Invalid value: '{format}'. Supported values are: 'wav' and 'mp3'.";
                                var audioMime = format == "wav" ? "audio/wav" : "audio/mpeg";
                                if (audio is null || !MediaSniffer.Matches(audioMime, audio)) return $"The audio data is not valid {format}.";
                                media.Add(new RecordedMedia(audioMime, Sha(audio), "input_audio:" + format));
                                break;
                            default:
                                return $"Invalid content part type: {part["type"]}";
                        }
                    }
                    break;
                default:
                    return "messages[].content must be a string or an array of content parts";
            }
        }
        var parameters = new JsonObject();
        foreach (var key in new[] { "temperature", "top_p", "seed", "max_tokens", "max_completion_tokens" })
            if (body[key] is { } value) parameters[key] = value.DeepClone();
        if (parameters["temperature"] is JsonValue t && (t.GetValue<double>() < 0 || t.GetValue<double>() > 2)) return "temperature must be in [0, 2]";
        call = new RecordedCall(model, texts, media, parameters);
        return null;
    }

    private static string[] Split(string text, int parts)
    {
        var size = (int)Math.Ceiling(text.Length / (double)parts);
        return Enumerable.Range(0, parts).Select(i => i * size >= text.Length ? "" : text.Substring(i * size, Math.Min(size, text.Length - i * size))).ToArray();
    }

    private static string Error(string message, string type, string? code) =>
        new JsonObject { ["error"] = new JsonObject { ["message"] = message, ["type"] = type, ["param"] = null, ["code"] = code } }.ToJsonString();
}
