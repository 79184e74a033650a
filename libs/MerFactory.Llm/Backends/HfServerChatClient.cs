using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MerFactory.Llm.Routing;
using Microsoft.Extensions.AI;

namespace MerFactory.Llm.Backends;

/// <summary>
/// The project's hf-server: MER-Factory's model-server protocol (spec §6.4) carried as plain HTTP JSON instead of Gradio.
/// <para><b>Request</b> <c>POST {base}/predict</c>, <c>Content-Type: application/json</c>:</para>
/// <code>
/// {"method": "describe_image" | "analyze_audio" | "describe_video" | "describe_facial_expression" | "synthesize_summary",
///  "params": {"model_id": "...", "prompt": "...",
///             "media": [{"kind": "image|audio|video", "mime_type": "...", "data": "&lt;base64&gt;", "name": "..."}],
///             "image_path" | "audio_path" | "video_path": "&lt;original path, when the media came from a file&gt;",
///             "max_new_tokens": 512, "temperature": 0.0}}
/// </code>
/// <para>Media are sent inline so the server need not share the client's filesystem; the <c>*_path</c> keys keep
/// MER-Factory's names for servers on the same machine.</para>
/// <para><b>Response</b> 200 <c>{"result": "&lt;text&gt;", "usage": {"input_tokens": n, "output_tokens": n}}</c>
/// (usage optional) or <c>{"error": "&lt;message&gt;"}</c> (4xx for bad requests, 503 while the model loads, 500 on failure).</para>
/// </summary>
public sealed class HfServerChatClient : IChatClient
{
    /// <summary>ChatOptions.AdditionalProperties key carrying the step, which picks the protocol method.</summary>
    public const string StepProperty = "merfactory.step";
    /// <summary>DataContent.AdditionalProperties key carrying the original file path.</summary>
    public const string SourcePathProperty = "merfactory.source_path";

    private readonly HttpClient _http;
    private readonly string _backend;
    private readonly Uri _endpoint;

    public HfServerChatClient(HttpClient http, string backendName, LlmBackendOptions options)
    {
        _http = http;
        _backend = backendName;
        var baseUrl = options.BaseUrl ?? new Uri("http://localhost:7860/");
        _endpoint = new Uri(baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/"), options.HfPredictPath);
    }

    public static string MethodFor(LlmStep step) => step switch
    {
        LlmStep.Audio => "analyze_audio",
        LlmStep.Video => "describe_video",
        LlmStep.Image => "describe_image",
        LlmStep.FacialExpression => "describe_facial_expression",
        _ => "synthesize_summary",
    };

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var model = options?.ModelId ?? throw new ArgumentException("ChatOptions.ModelId is required.");
        var step = options.AdditionalProperties?.TryGetValue(StepProperty, out var s) == true && s is LlmStep st ? st : LlmStep.Synthesis;
        var list = messages.ToList();

        var prompt = string.Join("\n\n", list.Select(m => m.Text).Where(t => !string.IsNullOrEmpty(t)));
        var parameters = new JsonObject { ["model_id"] = model, ["prompt"] = prompt };
        var media = new JsonArray();
        foreach (var data in list.SelectMany(m => m.Contents).OfType<DataContent>())
        {
            var kind = MediaAttachment.ModalityOf(data.MediaType).ToString().ToLowerInvariant();
            media.Add(new JsonObject { ["kind"] = kind, ["mime_type"] = data.MediaType, ["data"] = Convert.ToBase64String(data.Data.Span), ["name"] = data.Name });
            if (data.AdditionalProperties?.TryGetValue(SourcePathProperty, out var path) == true && path is string p && !parameters.ContainsKey(kind + "_path"))
                parameters[kind + "_path"] = p;
        }
        if (media.Count > 0) parameters["media"] = media;
        if (options.MaxOutputTokens is { } max) parameters["max_new_tokens"] = max;
        if (options.Temperature is { } temperature) parameters["temperature"] = temperature;

        var body = new JsonObject { ["method"] = MethodFor(step), ["params"] = parameters };
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync(_endpoint, content, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) throw await ProviderErrors.FromResponseAsync(_backend, model, response, cancellationToken).ConfigureAwait(false);
        var json = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);

        JsonElement root;
        try
        {
            root = JsonDocument.Parse(json).RootElement;
        }
        catch (JsonException ex)
        {
            throw ProviderErrors.Malformed(_backend, model, "hf-server body is not JSON", ex);
        }
        if (root.ValueKind != JsonValueKind.Object) throw ProviderErrors.Malformed(_backend, model, "hf-server body is not a JSON object");
        if (root.TryGetProperty("error", out var error))
            throw new LlmBackendException(_backend, model, LlmFailureKind.ClientError, $"hf-server error: {(error.ValueKind == JsonValueKind.String ? error.GetString() : error.GetRawText())}");
        if (!root.TryGetProperty("result", out var result)) throw ProviderErrors.Malformed(_backend, model, "hf-server body has neither 'result' nor 'error'");

        var text = result.ValueKind switch
        {
            JsonValueKind.String => result.GetString(),
            JsonValueKind.Object or JsonValueKind.Array => result.GetRawText(),
            _ => null,
        };
        // MER-Factory's models return "" for methods they lack; that is not an answer.
        if (string.IsNullOrWhiteSpace(text))
            throw new LlmBackendException(_backend, model, LlmFailureKind.NoAnswer, $"hf-server returned an empty result for {MethodFor(step)}");

        UsageDetails? usage = null;
        if (root.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object)
        {
            usage = new UsageDetails
            {
                InputTokenCount = u.TryGetProperty("input_tokens", out var i) && i.TryGetInt64(out var il) ? il : null,
                OutputTokenCount = u.TryGetProperty("output_tokens", out var o) && o.TryGetInt64(out var ol) ? ol : null,
            };
        }
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, text)) { ModelId = model, FinishReason = ChatFinishReason.Stop, Usage = usage };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        foreach (var update in response.ToChatResponseUpdates()) yield return update;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("merfactory.hf-server", _endpoint)
        : serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
        // The HttpClient belongs to the gateway.
    }
}
