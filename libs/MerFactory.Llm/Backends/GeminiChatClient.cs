using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MerFactory.Llm.Routing;
using Microsoft.Extensions.AI;

namespace MerFactory.Llm.Backends;

/// <summary>
/// Google Gemini over REST (no Gemini SDK is served): <c>POST v1beta/models/{model}:generateContent</c> with the
/// key in <c>x-goog-api-key</c>. Media travel as <c>inline_data</c> while the request stays under
/// <see cref="LlmBackendOptions.InlineRequestLimitBytes"/>; larger media go through the File API resumable upload
/// and are referenced as <c>file_data</c>.
/// </summary>
public sealed class GeminiChatClient : IChatClient
{
    public static readonly Uri DefaultBaseUrl = new("https://generativelanguage.googleapis.com/");

    private readonly HttpClient _http;
    private readonly string _backend;
    private readonly LlmBackendOptions _options;
    private readonly Uri _baseUrl;
    private readonly TimeProvider _time;
    // Uploaded files live 48 h on Gemini; retries and re-runs within that time reuse them instead of re-uploading.
    private static readonly TimeSpan UploadReuse = TimeSpan.FromHours(46);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (string Uri, string Mime, DateTimeOffset Until)> _uploaded = new(StringComparer.Ordinal);

    public GeminiChatClient(HttpClient http, string backendName, LlmBackendOptions options, TimeProvider? timeProvider = null)
    {
        _http = http;
        _backend = backendName;
        _options = options;
        _baseUrl = EnsureSlash(options.BaseUrl ?? DefaultBaseUrl);
        _time = timeProvider ?? TimeProvider.System;
        if (string.IsNullOrEmpty(options.ApiKey)) throw new ArgumentException($"Gemini backend '{backendName}' has no API key (GOOGLE_API_KEY).");
    }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var model = options?.ModelId ?? throw new ArgumentException("ChatOptions.ModelId is required.");
        var list = messages.ToList();
        var uploads = await UploadOversizedMediaAsync(model, list, cancellationToken).ConfigureAwait(false);
        var body = BuildRequest(list, options, uploads);

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_baseUrl, $"v1beta/models/{Uri.EscapeDataString(model)}:generateContent"));
        request.Headers.Add("x-goog-api-key", _options.ApiKey);
        request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) throw await ProviderErrors.FromResponseAsync(_backend, model, response, cancellationToken).ConfigureAwait(false);
        var json = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return ParseResponse(model, json);
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        foreach (var update in response.ToChatResponseUpdates()) yield return update;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("gcp.gemini", _baseUrl)
        : serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
        // The HttpClient belongs to the gateway.
    }

    private JsonObject BuildRequest(List<ChatMessage> messages, ChatOptions? options, Dictionary<DataContent, (string Uri, string Mime)> uploads)
    {
        var contents = new JsonArray();
        JsonObject? system = null;
        foreach (var message in messages)
        {
            var parts = new JsonArray();
            foreach (var content in message.Contents)
            {
                switch (content)
                {
                    case TextContent text when !string.IsNullOrEmpty(text.Text):
                        parts.Add(new JsonObject { ["text"] = text.Text });
                        break;
                    case DataContent data when uploads.TryGetValue(data, out var uploaded):
                        parts.Add(new JsonObject { ["file_data"] = new JsonObject { ["mime_type"] = uploaded.Mime, ["file_uri"] = uploaded.Uri } });
                        break;
                    case DataContent data:
                        parts.Add(new JsonObject { ["inline_data"] = new JsonObject { ["mime_type"] = data.MediaType, ["data"] = Convert.ToBase64String(data.Data.Span) } });
                        break;
                }
            }
            if (message.Role == ChatRole.System) system = new JsonObject { ["parts"] = parts };
            else contents.Add(new JsonObject { ["role"] = message.Role == ChatRole.Assistant ? "model" : "user", ["parts"] = parts });
        }

        var generation = new JsonObject();
        if (options?.Temperature is { } temperature) generation["temperature"] = temperature;
        if (options?.MaxOutputTokens is { } max) generation["maxOutputTokens"] = max;
        if (options?.TopP is { } topP) generation["topP"] = topP;
        if (options?.Seed is { } seed) generation["seed"] = seed;

        var body = new JsonObject { ["contents"] = contents };
        if (system is not null) body["systemInstruction"] = system;
        if (generation.Count > 0) body["generationConfig"] = generation;
        return body;
    }

    private ChatResponse ParseResponse(string model, string json)
    {
        JsonElement root;
        try
        {
            root = JsonDocument.Parse(json).RootElement;
        }
        catch (JsonException ex)
        {
            throw ProviderErrors.Malformed(_backend, model, $"generateContent body is not JSON ({ex.Message})", ex);
        }
        if (root.ValueKind != JsonValueKind.Object) throw ProviderErrors.Malformed(_backend, model, "generateContent body is not a JSON object");

        UsageDetails? usage = null;
        if (root.TryGetProperty("usageMetadata", out var u) && u.ValueKind == JsonValueKind.Object)
        {
            usage = new UsageDetails
            {
                InputTokenCount = Long(u, "promptTokenCount"),
                OutputTokenCount = Long(u, "candidatesTokenCount"),
                TotalTokenCount = Long(u, "totalTokenCount"),
            };
        }

        if (!root.TryGetProperty("candidates", out var candidates) || candidates.ValueKind != JsonValueKind.Array || candidates.GetArrayLength() == 0)
        {
            var block = root.TryGetProperty("promptFeedback", out var feedback) && feedback.TryGetProperty("blockReason", out var reason) ? reason.GetString() : null;
            if (block is not null) throw new LlmBackendException(_backend, model, LlmFailureKind.NoAnswer, $"prompt blocked by Gemini ({block})");
            throw ProviderErrors.Malformed(_backend, model, "no candidates in generateContent response");
        }

        var candidate = candidates[0];
        var finish = candidate.TryGetProperty("finishReason", out var fr) && fr.ValueKind == JsonValueKind.String ? fr.GetString() : null;
        var text = new StringBuilder();
        if (candidate.TryGetProperty("content", out var content) && content.TryGetProperty("parts", out var parts) && parts.ValueKind == JsonValueKind.Array)
        {
            foreach (var part in parts.EnumerateArray())
            {
                // Thinking models may return thought summaries; they are not the answer.
                if (part.TryGetProperty("thought", out var thought) && thought.ValueKind == JsonValueKind.True) continue;
                if (part.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String) text.Append(t.GetString());
            }
        }
        if (text.Length == 0)
            throw new LlmBackendException(_backend, model, LlmFailureKind.NoAnswer, $"Gemini returned no text (finishReason {finish ?? "missing"})");

        return new ChatResponse(new ChatMessage(ChatRole.Assistant, text.ToString()))
        {
            ModelId = root.TryGetProperty("modelVersion", out var mv) && mv.ValueKind == JsonValueKind.String ? mv.GetString() : model,
            FinishReason = finish switch
            {
                "STOP" => ChatFinishReason.Stop,
                "MAX_TOKENS" => ChatFinishReason.Length,
                "SAFETY" or "RECITATION" or "BLOCKLIST" or "PROHIBITED_CONTENT" or "SPII" => ChatFinishReason.ContentFilter,
                null => ChatFinishReason.Stop,
                _ => new ChatFinishReason(finish),
            },
            Usage = usage,
        };
    }

    private static long? Long(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.TryGetInt64(out var l) ? l : null;

    /// <summary>Moves the largest media to the File API until the inline (base64) payload fits the request limit.</summary>
    private async Task<Dictionary<DataContent, (string Uri, string Mime)>> UploadOversizedMediaAsync(string model, List<ChatMessage> messages, CancellationToken cancellationToken)
    {
        var uploads = new Dictionary<DataContent, (string, string)>(ReferenceEqualityComparer.Instance);
        var media = messages.SelectMany(m => m.Contents).OfType<DataContent>().OrderByDescending(d => d.Data.Length).ToList();
        var textBytes = messages.SelectMany(m => m.Contents).OfType<TextContent>().Sum(t => (long)Encoding.UTF8.GetByteCount(t.Text ?? ""));
        long InlineSize() => textBytes + media.Where(d => !uploads.ContainsKey(d)).Sum(d => (d.Data.Length + 2L) / 3 * 4);
        foreach (var data in media)
        {
            if (InlineSize() <= _options.InlineRequestLimitBytes) break;
            var id = data.MediaType + ":" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(data.Data.Span));
            if (_uploaded.TryGetValue(id, out var known) && known.Until > _time.GetUtcNow())
            {
                uploads[data] = (known.Uri, known.Mime);
                continue;
            }
            var uploaded = await UploadAsync(model, data, cancellationToken).ConfigureAwait(false);
            _uploaded[id] = (uploaded.Uri, uploaded.Mime, _time.GetUtcNow() + UploadReuse);
            uploads[data] = uploaded;
        }
        return uploads;
    }

    private async Task<(string Uri, string Mime)> UploadAsync(string model, DataContent data, CancellationToken cancellationToken)
    {
        // Step 1: open a resumable session; the upload URL comes back in x-goog-upload-url.
        using var start = new HttpRequestMessage(HttpMethod.Post, new Uri(_baseUrl, "upload/v1beta/files"));
        start.Headers.Add("x-goog-api-key", _options.ApiKey);
        start.Headers.Add("X-Goog-Upload-Protocol", "resumable");
        start.Headers.Add("X-Goog-Upload-Command", "start");
        start.Headers.Add("X-Goog-Upload-Header-Content-Length", data.Data.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        start.Headers.Add("X-Goog-Upload-Header-Content-Type", data.MediaType);
        start.Content = new StringContent(new JsonObject { ["file"] = new JsonObject { ["display_name"] = data.Name ?? "media" } }.ToJsonString(), Encoding.UTF8, "application/json");
        string uploadUrl;
        using (var started = await _http.SendAsync(start, cancellationToken).ConfigureAwait(false))
        {
            if (!started.IsSuccessStatusCode) throw await ProviderErrors.FromResponseAsync(_backend, model, started, cancellationToken).ConfigureAwait(false);
            uploadUrl = started.Headers.TryGetValues("x-goog-upload-url", out var urls) ? urls.First()
                : throw ProviderErrors.Malformed(_backend, model, "File API start response has no x-goog-upload-url header");
        }

        // Step 2: send the bytes and finalize in one request.
        using var upload = new HttpRequestMessage(HttpMethod.Post, uploadUrl);
        upload.Headers.Add("X-Goog-Upload-Offset", "0");
        upload.Headers.Add("X-Goog-Upload-Command", "upload, finalize");
        upload.Content = new ReadOnlyMemoryContent(data.Data);
        upload.Content.Headers.ContentType = new MediaTypeHeaderValue(data.MediaType);
        JsonElement file;
        using (var uploaded = await _http.SendAsync(upload, cancellationToken).ConfigureAwait(false))
        {
            if (!uploaded.IsSuccessStatusCode) throw await ProviderErrors.FromResponseAsync(_backend, model, uploaded, cancellationToken).ConfigureAwait(false);
            file = ParseFile(model, await uploaded.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false), wrapped: true);
        }

        // Video is processed asynchronously; generateContent rejects it until the file is ACTIVE.
        while (State(file) == "PROCESSING")
        {
            await Task.Delay(_options.FileProcessingPollInterval, _time, cancellationToken).ConfigureAwait(false);
            var name = file.TryGetProperty("name", out var n) ? n.GetString() : null;
            if (name is null) throw ProviderErrors.Malformed(_backend, model, "uploaded file has no name");
            using var poll = new HttpRequestMessage(HttpMethod.Get, new Uri(_baseUrl, "v1beta/" + name));
            poll.Headers.Add("x-goog-api-key", _options.ApiKey);
            using var polled = await _http.SendAsync(poll, cancellationToken).ConfigureAwait(false);
            if (!polled.IsSuccessStatusCode) throw await ProviderErrors.FromResponseAsync(_backend, model, polled, cancellationToken).ConfigureAwait(false);
            file = ParseFile(model, await polled.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false), wrapped: false);
        }
        if (State(file) is "FAILED")
            throw new LlmBackendException(_backend, model, LlmFailureKind.ClientError, $"Gemini File API could not process '{data.Name}' ({data.MediaType})");
        var uri = file.TryGetProperty("uri", out var u) ? u.GetString() : null;
        if (string.IsNullOrEmpty(uri)) throw ProviderErrors.Malformed(_backend, model, "uploaded file has no uri");
        var mime = file.TryGetProperty("mimeType", out var m) ? m.GetString() ?? data.MediaType : data.MediaType;
        return (uri, mime);
    }

    private static string? State(JsonElement file) => file.TryGetProperty("state", out var s) ? s.GetString() : null;

    private JsonElement ParseFile(string model, string json, bool wrapped)
    {
        try
        {
            var root = JsonDocument.Parse(json).RootElement;
            if (wrapped) return root.TryGetProperty("file", out var f) ? f : throw ProviderErrors.Malformed(_backend, model, "upload response has no 'file'");
            return root;
        }
        catch (JsonException ex)
        {
            throw ProviderErrors.Malformed(_backend, model, "File API response is not JSON", ex);
        }
    }

    private static Uri EnsureSlash(Uri uri) => uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
}
