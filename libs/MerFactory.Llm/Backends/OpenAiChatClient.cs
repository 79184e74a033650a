using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MerFactory.Llm.Routing;
using Microsoft.Extensions.AI;

namespace MerFactory.Llm.Backends;

/// <summary>
/// OpenAI chat completions (<c>POST {base}/chat/completions</c>, Bearer key), streamed as server-sent events.
/// Images travel as <c>image_url</c> data URLs, audio as <c>input_audio</c> (wav/mp3 only). Serves OpenAI and any
/// OpenAI-compatible server (vLLM, llama.cpp, LM Studio); the latter gets <c>max_tokens</c> instead of
/// <c>max_completion_tokens</c> because not all of them know the newer name. Also the hf-server client: MerFactory's
/// model host (libs/MerFactory.ModelHost) and llama-server speak this protocol.
/// </summary>
public sealed class OpenAiChatClient : IChatClient
{
    public static readonly Uri DefaultBaseUrl = new("https://api.openai.com/v1/");

    private readonly HttpClient _http;
    private readonly string _backend;
    private readonly LlmBackendOptions _options;
    private readonly Uri _baseUrl;

    public OpenAiChatClient(HttpClient http, string backendName, LlmBackendOptions options)
    {
        _http = http;
        _backend = backendName;
        _options = options;
        var baseUrl = options.BaseUrl ?? (options.Kind == LlmBackendKind.OpenAI ? DefaultBaseUrl
            : throw new ArgumentException($"OpenAI-compatible backend '{backendName}' needs a BaseUrl."));
        _baseUrl = baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/");
        // hf-server (our model host or llama-server) is addressed by its root, as HF_API_BASE_URL was.
        if (options.Kind == LlmBackendKind.HfServer && !_baseUrl.AbsolutePath.EndsWith("/v1/", StringComparison.Ordinal)) _baseUrl = new Uri(_baseUrl, "v1/");
        if (options.Kind == LlmBackendKind.OpenAI && string.IsNullOrEmpty(options.ApiKey))
            throw new ArgumentException($"OpenAI backend '{backendName}' has no API key (OPENAI_API_KEY).");
    }

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken);

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var model = options?.ModelId ?? throw new ArgumentException("ChatOptions.ModelId is required.");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_baseUrl, "chat/completions"));
        if (!string.IsNullOrEmpty(_options.ApiKey)) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.ApiKey);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        request.Content = new StringContent(BuildRequest(model, messages, options).ToJsonString(), Encoding.UTF8, "application/json");

        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) throw await ProviderErrors.FromResponseAsync(_backend, model, response, cancellationToken).ConfigureAwait(false);

        using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var finished = false;
        var done = false;
        while (await ReadLineAsync(reader, model, cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (!line.StartsWith("data:", StringComparison.Ordinal)) continue; // comments, event names, blank separators
            var data = line[5..].Trim();
            if (data == "[DONE]")
            {
                done = true;
                break;
            }
            var update = ParseChunk(model, data, ref finished);
            if (update is not null) yield return update;
        }
        if (!finished)
            throw new LlmBackendException(_backend, model, LlmFailureKind.TruncatedStream,
                done ? "stream ended with [DONE] but no finish_reason" : "stream ended before a finish_reason (connection cut or truncated response)");
    }

    private async Task<string?> ReadLineAsync(StreamReader reader, string model, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            throw new LlmBackendException(_backend, model, LlmFailureKind.TruncatedStream, $"stream broken: {ex.Message}", inner: ex);
        }
    }

    private ChatResponseUpdate? ParseChunk(string model, string data, ref bool finished)
    {
        JsonElement chunk;
        try
        {
            chunk = JsonDocument.Parse(data).RootElement;
        }
        catch (JsonException ex)
        {
            throw ProviderErrors.Malformed(_backend, model, $"stream chunk is not JSON: {ProviderErrors.Shorten(data)}", ex);
        }
        if (chunk.ValueKind != JsonValueKind.Object) throw ProviderErrors.Malformed(_backend, model, "stream chunk is not a JSON object");
        if (chunk.TryGetProperty("error", out _))
        {
            var (message, _) = ProviderErrors.ParseErrorBody(data);
            throw new LlmBackendException(_backend, model, LlmFailureKind.ServerError, $"error inside stream: {message ?? ProviderErrors.Shorten(data)}");
        }

        var update = new ChatResponseUpdate { Role = ChatRole.Assistant, ModelId = chunk.TryGetProperty("model", out var m) ? m.GetString() : model };
        if (chunk.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String) update.ResponseId = id.GetString();
        if (chunk.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array)
        {
            foreach (var choice in choices.EnumerateArray())
            {
                if (choice.TryGetProperty("delta", out var delta) && delta.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String)
                    update.Contents.Add(new TextContent(content.GetString()));
                if (choice.TryGetProperty("finish_reason", out var fr) && fr.ValueKind == JsonValueKind.String)
                {
                    finished = true;
                    update.FinishReason = fr.GetString() switch
                    {
                        "stop" => ChatFinishReason.Stop,
                        "length" => ChatFinishReason.Length,
                        "content_filter" => ChatFinishReason.ContentFilter,
                        var other => new ChatFinishReason(other!),
                    };
                }
            }
        }
        if (chunk.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
        {
            update.Contents.Add(new UsageContent(new UsageDetails
            {
                InputTokenCount = usage.TryGetProperty("prompt_tokens", out var p) && p.TryGetInt64(out var pl) ? pl : null,
                OutputTokenCount = usage.TryGetProperty("completion_tokens", out var c) && c.TryGetInt64(out var cl) ? cl : null,
                TotalTokenCount = usage.TryGetProperty("total_tokens", out var t) && t.TryGetInt64(out var tl) ? tl : null,
            }));
        }
        return update;
    }

    private JsonObject BuildRequest(string model, IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var array = new JsonArray();
        foreach (var message in messages)
        {
            var role = message.Role == ChatRole.System ? "system" : message.Role == ChatRole.Assistant ? "assistant" : "user";
            var hasMedia = message.Contents.Any(c => c is DataContent);
            if (!hasMedia)
            {
                array.Add(new JsonObject { ["role"] = role, ["content"] = message.Text });
                continue;
            }
            var parts = new JsonArray();
            foreach (var content in message.Contents)
            {
                switch (content)
                {
                    case TextContent text when !string.IsNullOrEmpty(text.Text):
                        parts.Add(new JsonObject { ["type"] = "text", ["text"] = text.Text });
                        break;
                    case DataContent data when data.HasTopLevelMediaType("image"):
                        parts.Add(new JsonObject { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = data.Uri } });
                        break;
                    case DataContent data when data.HasTopLevelMediaType("audio"):
                        var format = ModelCapabilities.OpenAiAudioFormats.TryGetValue(data.MediaType, out var f) ? f
                            : throw new LlmBackendException(_backend, model, LlmFailureKind.ClientError, $"input_audio accepts wav or mp3, not {data.MediaType}");
                        parts.Add(new JsonObject { ["type"] = "input_audio", ["input_audio"] = new JsonObject { ["data"] = Convert.ToBase64String(data.Data.Span), ["format"] = format } });
                        break;
                    case DataContent data when data.HasTopLevelMediaType("video") && _options.Kind == LlmBackendKind.HfServer:
                        // The model host's extension: it samples ≤15 frames at 1 fps plus the 16 kHz audio itself.
                        parts.Add(new JsonObject { ["type"] = "input_video", ["input_video"] = new JsonObject { ["data"] = Convert.ToBase64String(data.Data.Span), ["format"] = data.MediaType["video/".Length..] } });
                        break;
                    case DataContent data:
                        throw new LlmBackendException(_backend, model, LlmFailureKind.ClientError, $"chat completions cannot take {data.MediaType} content");
                }
            }
            array.Add(new JsonObject { ["role"] = role, ["content"] = parts });
        }

        var body = new JsonObject
        {
            ["model"] = model,
            ["messages"] = array,
            ["stream"] = true,
            ["stream_options"] = new JsonObject { ["include_usage"] = true },
        };
        if (options?.Temperature is { } temperature) body["temperature"] = temperature;
        if (options?.TopP is { } topP) body["top_p"] = topP;
        if (options?.Seed is { } seed) body["seed"] = seed;
        if (options?.MaxOutputTokens is { } max) body[_options.Kind == LlmBackendKind.OpenAI ? "max_completion_tokens" : "max_tokens"] = max;
        return body;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata(_options.Kind == LlmBackendKind.OpenAI ? "openai" : "openai-compatible", _baseUrl)
        : serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
        // The HttpClient belongs to the gateway.
    }
}
