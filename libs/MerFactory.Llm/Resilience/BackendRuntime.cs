using System.ClientModel;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json;
using System.Threading.RateLimiting;
using MerFactory.Llm.Backends;
using MerFactory.Llm.Routing;
using MerFactory.Llm.Telemetry;
using Microsoft.Extensions.AI;
using OllamaSharp;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;

namespace MerFactory.Llm.Resilience;

/// <summary>
/// One configured backend: its chat client, its own HttpClient, and the limits around every call —
/// jittered retry (honouring Retry-After) → circuit breaker → concurrency permit →
/// exact requests-per-window permit → per-attempt timeout.
/// </summary>
internal sealed class BackendRuntime : IDisposable
{
    private readonly HttpClient _http;
    private readonly ConcurrencyLimiter _concurrency;
    private readonly SlidingWindowStartLimiter? _rate;
    private readonly ResiliencePipeline<ChatResponse> _pipeline;
    private readonly TimeProvider _time;

    public BackendRuntime(string name, LlmBackendOptions options, HttpMessageHandler primaryHandler, TimeProvider time, Action<RetryNotice> onRetry)
    {
        Name = name;
        Options = options;
        _time = time;
        // Own handler, not IHttpClientFactory: service defaults add a standard resilience handler (10 s attempt
        // timeout) to every factory client, far too short for LLM calls, and it would retry on top of ours.
        // Libraries (OllamaSharp, the OpenAI SDK) see no error response: the handler turns it into a classified failure
        // that keeps the provider's message and Retry-After. Gemini's client reads its responses itself.
        HttpMessageHandler handler = options.Kind == LlmBackendKind.Gemini ? primaryHandler : new ProviderErrorHandler(name) { InnerHandler = primaryHandler };
        _http = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        IChatClient client = options.Kind switch
        {
            LlmBackendKind.Gemini => new GeminiChatClient(_http, name, options, time),
            LlmBackendKind.OpenAI or LlmBackendKind.OpenAICompatible or LlmBackendKind.HfServer => new OpenAiChatClient(_http, name, options),
            LlmBackendKind.Ollama => CreateOllama(options),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Kind, "unknown backend kind"),
        };
        // GenAI spans/metrics under Microsoft.Extensions.AI's source, which service defaults already export; prompts
        // and answers stay out of telemetry (sensitive data off by default).
        Client = new ChatClientBuilder(client).UseOpenTelemetry().Build();

        _concurrency = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = Math.Max(1, options.MaxConcurrency),
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
        if (options.RequestsPerMinute is { } rpm)
        {
            var permits = (int)Math.Max(1, Math.Floor(rpm * options.RateLimitWindow.TotalMinutes));
            _rate = new SlidingWindowStartLimiter(permits, options.RateLimitWindow + options.RateLimitMargin, time);
        }

        bool Retryable(Exception? e) => e is LlmBackendException { IsTransient: true } b && !(b.RetryAfter > options.MaxRetryAfter);
        var builder = new ResiliencePipelineBuilder<ChatResponse> { TimeProvider = time };
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<ChatResponse>
            {
                ShouldHandle = args => ValueTask.FromResult(Retryable(args.Outcome.Exception)),
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.MaxRetryDelay,
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Exception is LlmBackendException { RetryAfter: { } after } ? (TimeSpan?)after : null),
                OnRetry = args =>
                {
                    onRetry(new RetryNotice(args.AttemptNumber + 1, args.RetryDelay, args.Outcome.Exception));
                    return ValueTask.CompletedTask;
                },
            });
        }
        _pipeline = builder
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<ChatResponse>
            {
                // 429 is the provider pacing us, and an unusable answer came from a working server: neither is a broken backend.
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is LlmBackendException { IsTransient: true, Kind: not (LlmFailureKind.RateLimited or LlmFailureKind.InvalidAnswer) }),
                FailureRatio = options.CircuitFailureRatio,
                MinimumThroughput = Math.Max(2, options.CircuitMinimumThroughput),
                SamplingDuration = options.CircuitSamplingDuration,
                BreakDuration = options.CircuitBreakDuration,
            })
            .Build();
    }

    public string Name { get; }
    public LlmBackendOptions Options { get; }
    public IChatClient Client { get; }

    /// <summary>This backend's own HTTP client (with its handler), for requests beside chat such as the model listing.</summary>
    public HttpClient Http => _http;

    public readonly record struct RetryNotice(int NextAttempt, TimeSpan Delay, Exception? Cause);

    /// <summary>Runs one call through the limits. <paramref name="attempts"/> counts attempts that reached the backend.</summary>
    public ValueTask<ChatResponse> ExecuteAsync(Func<IChatClient, CancellationToken, Task<ChatResponse>> call, string model, LlmStep step, StrongBox<int> attempts, CancellationToken cancellationToken) =>
        _pipeline.ExecuteAsync(async token =>
        {
            using var lease = await _concurrency.AcquireAsync(1, token).ConfigureAwait(false);
            if (!lease.IsAcquired) throw new InvalidOperationException($"Concurrency limiter of backend '{Name}' refused a permit.");
            if (_rate is not null) await _rate.WaitAsync(token).ConfigureAwait(false);

            Interlocked.Increment(ref attempts.Value);
            var started = _time.GetTimestamp();
            using var attemptCts = CancellationTokenSource.CreateLinkedTokenSource(token);
            attemptCts.CancelAfter(Options.AttemptTimeout);
            try
            {
                var response = await call(Client, attemptCts.Token).ConfigureAwait(false);
                LlmTelemetry.OperationDuration.Record(_time.GetElapsedTime(started).TotalSeconds, LlmTelemetry.Tags(Name, model, step));
                return response;
            }
            catch (Exception ex) when (Classify(ex, model, token, attemptCts.Token) is { } failure)
            {
                var tags = LlmTelemetry.Tags(Name, model, step);
                tags.Add("error.type", failure.Kind.ToString());
                LlmTelemetry.OperationDuration.Record(_time.GetElapsedTime(started).TotalSeconds, tags);
                LlmTelemetry.Errors.Add(1, tags);
                if (ReferenceEquals(failure, ex)) throw;
                throw failure;
            }
        }, cancellationToken);

    /// <summary>Maps whatever a client library threw onto a classified backend failure (null: caller cancelled, rethrow as is).</summary>
    private LlmBackendException? Classify(Exception ex, string model, CancellationToken outer, CancellationToken attempt) =>
        ClassifyRaw(ex, model, outer, attempt)?.Redact(Options.ApiKey);

    private LlmBackendException? ClassifyRaw(Exception ex, string model, CancellationToken outer, CancellationToken attempt) => ex switch
    {
        LlmBackendException { Model: null } backend => backend.ForModel(model),
        LlmBackendException backend => backend,
        // The OpenAI SDK's transport wraps connection failures; HTTP errors never reach it (ProviderErrorHandler).
        ClientResultException { InnerException: { } inner } => ClassifyRaw(inner, model, outer, attempt),
        ClientResultException { Status: > 0 } result => new LlmBackendException(Name, model, ProviderErrors.Classify((System.Net.HttpStatusCode)result.Status), result.Message, result.Status, inner: ex),
        OperationCanceledException when outer.IsCancellationRequested => null,
        OperationCanceledException when attempt.IsCancellationRequested =>
            new LlmBackendException(Name, model, LlmFailureKind.Timeout, $"no complete answer within the attempt timeout of {Options.AttemptTimeout.TotalSeconds:0.###} s", inner: ex),
        JsonException => ProviderErrors.Malformed(Name, model, ex.Message, ex),
        HttpRequestException { StatusCode: { } status } => new LlmBackendException(Name, model, ProviderErrors.Classify(status), ex.Message, (int)status, inner: ex),
        HttpRequestException or IOException or SocketException =>
            new LlmBackendException(Name, model, LlmFailureKind.Network, $"connection failed or broke: {ex.Message}", inner: ex),
        _ => null,
    };

    private OllamaApiClient CreateOllama(LlmBackendOptions options)
    {
        _http.BaseAddress = options.BaseUrl ?? new Uri("http://localhost:11434/");
        return new OllamaApiClient(_http);
    }

    public void Dispose()
    {
        _concurrency.Dispose();
        _rate?.Dispose();
        _http.Dispose();
    }
}

/// <summary>Mutable box so the attempt count survives the resilience callback.</summary>
internal sealed class StrongBox<T>(T value)
{
    public T Value = value;
}
