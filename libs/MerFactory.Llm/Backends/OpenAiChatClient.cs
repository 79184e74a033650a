using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using MerFactory.Llm.Routing;
using Microsoft.Extensions.AI;
using OpenAI;

namespace MerFactory.Llm.Backends;

/// <summary>
/// OpenAI chat completions through the official OpenAI SDK, adapted to <see cref="IChatClient"/> by
/// Microsoft.Extensions.AI.OpenAI. Serves OpenAI and any OpenAI-compatible server (vLLM, llama.cpp, LM Studio) and the
/// hf-server (MerFactory's model host or llama-server). What this class adds are the shims the SDK lacks:
/// a client per model (routes pick the model per call), keyless servers, <c>max_tokens</c> for servers that do not know
/// <c>max_completion_tokens</c>, audio media-type aliases, and video as a <c>file</c> part for the model host.
/// Retries, timeouts and error classification stay in <see cref="Resilience.BackendRuntime"/>: the SDK's own retry
/// policy and network timeout are switched off, and errors arrive as <see cref="LlmBackendException"/>s from
/// <see cref="ProviderErrorHandler"/> under the SDK's transport.
/// </summary>
public sealed class OpenAiChatClient : IChatClient
{
    public static readonly Uri DefaultBaseUrl = new("https://api.openai.com/v1/");

    private readonly string _backend;
    private readonly LlmBackendOptions _options;
    private readonly OpenAIClient _client;
    private readonly ConcurrentDictionary<string, IChatClient> _models = new(StringComparer.Ordinal);

    public OpenAiChatClient(HttpClient http, string backendName, LlmBackendOptions options)
    {
        _backend = backendName;
        _options = options;
        var baseUrl = options.BaseUrl ?? (options.Kind == LlmBackendKind.OpenAI ? DefaultBaseUrl
            : throw new ArgumentException($"OpenAI-compatible backend '{backendName}' needs a BaseUrl."));
        baseUrl = baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/");
        // hf-server (our model host or llama-server) is addressed by its root, as HF_API_BASE_URL was.
        if (options.Kind == LlmBackendKind.HfServer && !baseUrl.AbsolutePath.EndsWith("/v1/", StringComparison.Ordinal)) baseUrl = new Uri(baseUrl, "v1/");
        if (options.Kind == LlmBackendKind.OpenAI && string.IsNullOrEmpty(options.ApiKey))
            throw new ArgumentException($"OpenAI backend '{backendName}' has no API key (OPENAI_API_KEY).");
        BaseUrl = baseUrl;

        var clientOptions = new OpenAIClientOptions
        {
            Endpoint = baseUrl,
            Transport = new HttpClientPipelineTransport(http),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = Timeout.InfiniteTimeSpan,
        };
        var keyless = string.IsNullOrEmpty(options.ApiKey);
        // The SDK always sends a bearer credential; a local server without a key gets none.
        if (keyless) clientOptions.AddPolicy(new WithoutAuthorizationPolicy(), PipelinePosition.BeforeTransport);
        _client = new OpenAIClient(new ApiKeyCredential(keyless ? "unused" : options.ApiKey!), clientOptions);
    }

    public Uri BaseUrl { get; }

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken);

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var model = options?.ModelId ?? throw new ArgumentException("ChatOptions.ModelId is required.");
        var client = _models.GetOrAdd(model, m => _client.GetChatClient(m).AsIChatClient());
        var request = OpenAiWireShims.Messages(messages, _options.Kind, _backend, model);
        return client.GetStreamingResponseAsync(request, OpenAiWireShims.Options(options!, _options.Kind), cancellationToken);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata(_options.Kind == LlmBackendKind.OpenAI ? "openai" : "openai-compatible", BaseUrl)
        : serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
        // The HttpClient belongs to the gateway; the SDK clients hold nothing else.
    }

    private sealed class WithoutAuthorizationPolicy : PipelinePolicy
    {
        public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            message.Request.Headers.Remove("Authorization");
            ProcessNext(message, pipeline, currentIndex);
        }

        public override ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            message.Request.Headers.Remove("Authorization");
            return ProcessNextAsync(message, pipeline, currentIndex);
        }
    }
}
