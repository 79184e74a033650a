using System.Diagnostics;
using MerFactory.Llm.Answers;
using MerFactory.Llm.Backends;
using MerFactory.Llm.Caching;
using MerFactory.Llm.Resilience;
using MerFactory.Llm.Routing;
using MerFactory.Llm.Telemetry;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly.CircuitBreaker;

namespace MerFactory.Llm;

/// <summary>
/// Routes each step to its backend/model, degrades explicitly when the model lacks a modality, answers from the
/// response cache when it can, and otherwise calls the backend under its limits. Thread-safe; one per process.
/// </summary>
public sealed partial class LlmGateway : ILlmGateway, IDisposable
{
    private readonly LlmRoutingOptions _routing;
    private readonly ILlmResponseCache? _cache;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, BackendRuntime> _backends = new(StringComparer.OrdinalIgnoreCase);
    private readonly LlmAnswerCheck _answers;
    private readonly CapabilityDiscovery _capabilities;

    /// <param name="routing">Backends and per-step routes (validated here; a bad route fails fast).</param>
    /// <param name="cache">Response cache; null disables caching.</param>
    /// <param name="primaryHandlerFactory">Creates the innermost HTTP handler per backend name (default: a pooled SocketsHttpHandler).</param>
    public LlmGateway(LlmRoutingOptions routing, ILlmResponseCache? cache = null, ILogger<LlmGateway>? logger = null,
        TimeProvider? timeProvider = null, Func<string, HttpMessageHandler>? primaryHandlerFactory = null)
    {
        _routing = routing;
        _cache = cache;
        _logger = logger ?? NullLogger<LlmGateway>.Instance;
        _time = timeProvider ?? TimeProvider.System;
        foreach (var (name, options) in routing.Backends) options.Kind = LlmRouting.KindOf(name, options);
        Validate(routing);
        _answers = new LlmAnswerCheck(routing.Answers);
        _capabilities = new CapabilityDiscovery(name => _backends[name].Http);
        foreach (var (name, options) in routing.Backends)
        {
            var handler = primaryHandlerFactory?.Invoke(name) ?? new SocketsHttpHandler
            {
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                ConnectTimeout = TimeSpan.FromSeconds(30),
            };
            _backends[name] = new BackendRuntime(name, options, handler, _time, notice => OnRetry(name, notice));
        }
    }

    public string Description => _routing.Description ?? "";

    public LlmResolvedRoute? Resolve(LlmStep step)
    {
        var route = _routing.RouteFor(step);
        if (route is null) return null;
        var backend = _routing.Backends[route.Backend];
        return new LlmResolvedRoute(step, route.Backend, backend.Kind, route.Model,
            ModelCapabilities.Resolve(backend.Kind, route.Model, backend),
            new LlmGenerationParameters(route.Temperature ?? 0f, route.MaxOutputTokens, route.TopP, route.Seed));
    }

    public async Task<LlmStepResult> RunAsync(LlmStepRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.Prompt)) throw new ArgumentException($"LLM step '{request.Step.ToKebab()}': the prompt is empty.", nameof(request));

        using var activity = LlmTelemetry.ActivitySource.StartActivity($"llm {request.Step.ToKebab()}", ActivityKind.Client);
        activity?.SetTag("merfactory.llm.step", request.Step.ToKebab());
        activity?.SetTag("merfactory.sample.id", request.SampleId);

        var route = Resolve(request.Step);
        if (route is null)
        {
            // The routing's description says why no route exists, unless it would only repeat "no LLM configured".
            var why = _routing.Description switch
            {
                null or "" => " (no route)",
                "no LLM configured" => "",
                var description => $" ({description})",
            };
            var reason = $"no LLM configured for the {request.Step.ToKebab()} step{why}";
            return Skipped(request, reason, null, activity);
        }
        activity?.SetTag("merfactory.llm.backend", route.Backend);
        activity?.SetTag("gen_ai.request.model", route.Model);
        route = route with { Capabilities = await _capabilities.CapabilitiesAsync(route, _routing.Backends[route.Backend]).ConfigureAwait(false) };

        var plan = DegradationPlanner.Build(request, route.Kind, route.Model, route.Capabilities);
        if (plan.Messages is null) return Skipped(request, plan.SkipReason!, route, activity);
        if (plan.Degradation.Kind != DegradationKind.None && _capabilities.RefusalNote(route) is { } learned)
            plan = plan with { Degradation = plan.Degradation with { Description = $"{plan.Degradation.Description} ({learned})" } };
        if (plan.Degradation.Kind != DegradationKind.None)
        {
            activity?.SetTag("merfactory.llm.degradation", plan.Degradation.Kind.ToString());
            Log.Degraded(_logger, request.Step.ToKebab(), route.Backend, route.Model, plan.Degradation.Description);
        }

        var p = request.Parameters;
        var options = new ChatOptions
        {
            ModelId = route.Model,
            Temperature = p?.Temperature ?? route.Parameters.Temperature,
            MaxOutputTokens = p?.MaxOutputTokens ?? route.Parameters.MaxOutputTokens,
            TopP = p?.TopP ?? route.Parameters.TopP,
            Seed = p?.Seed ?? route.Parameters.Seed,
        };

        // Answers are always written to the cache, so a later run with --cache can reuse them (MER-Factory's --cache reuses
        // earlier runs whatever flags they had); they are read only when the request allows it.
        var cacheKey = _cache is null ? null : LlmCacheKey.Compute(route.Backend, route.Kind, plan.Messages, options);
        if (_cache is not null && cacheKey is not null && request.UseCache)
        {
            var hit = await _cache.TryGetAsync(cacheKey, cancellationToken).ConfigureAwait(false);
            // An answer cached before the checks existed (or under looser ones) is not trusted.
            if (hit is not null && _answers.Problem(hit.Text) is not null) hit = null;
            var cacheTags = LlmTelemetry.Tags(route.Backend, route.Model, request.Step);
            cacheTags.Add("merfactory.llm.cache.result", hit is null ? "miss" : "hit");
            LlmTelemetry.CacheLookups.Add(1, cacheTags);
            if (hit is not null)
            {
                Log.CacheHit(_logger, request.Step.ToKebab(), route.Backend, route.Model, cacheKey);
                activity?.SetTag("merfactory.llm.cached", true);
                CountStep(request.Step, route, "cached", plan.Degradation);
                return new LlmStepResult
                {
                    Step = request.Step, Status = LlmStepStatus.Completed, Text = hit.Text, Backend = route.Backend, BackendKind = route.Kind,
                    Model = route.Model, Degradation = plan.Degradation, Usage = new LlmUsage(hit.InputTokens, hit.OutputTokens), Cached = true,
                };
            }
        }

        var backend = _backends[route.Backend];
        var attempts = new StrongBox<int>(0);
        ChatResponse? response = null;
        // One budget for every attempt, back-off and provider-requested wait of this step.
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(backend.Options.StepTimeout);
        try
        {
            response = await backend.ExecuteAsync(
                (client, token) => CallAsync(client, route, plan.Messages, options, _answers, token), route.Model, request.Step, attempts, budget.Token).ConfigureAwait(false);
        }
        catch (LlmBackendException refusal) when (_capabilities.LearnRefusal(route, SentModalities(plan.Messages), refusal))
        {
            // The server says the model cannot take this input: remembered for the model, and the step is planned again
            // without it (frames for video, transcript for audio), recorded as a degradation.
            Log.InputRefused(_logger, request.Step.ToKebab(), route.Backend, route.Model, refusal.Detail);
        }
        catch (Exception ex) when (ex is LlmBackendException or BrokenCircuitException
            || (ex is OperationCanceledException && budget.IsCancellationRequested && !cancellationToken.IsCancellationRequested))
        {
            var (kind, message) = ex switch
            {
                OperationCanceledException => (LlmFailureKind.Timeout,
                    $"no usable answer within the step time limit of {backend.Options.StepTimeout.TotalSeconds:0} s ({attempts.Value} attempt(s) of at most {backend.Options.AttemptTimeout.TotalSeconds:0.###} s each)"),
                LlmBackendException { RetryAfter: { } wait } b when wait > backend.Options.MaxRetryAfter =>
                    (b.Kind, $"{b.Detail} (the provider asks to wait {wait.TotalSeconds:0} s, more than MaxRetryAfter {backend.Options.MaxRetryAfter.TotalSeconds:0} s; quota exhausted?)"),
                LlmBackendException b => (b.Kind, b.Detail),
                _ => (LlmFailureKind.CircuitOpen, $"circuit open after repeated failures; calls resume after {backend.Options.CircuitBreakDuration.TotalSeconds:0} s ({ex.Message})"),
            };
            activity?.SetStatus(ActivityStatusCode.Error, message);
            activity?.SetTag("error.type", kind.ToString());
            CountStep(request.Step, route, "failed", plan.Degradation);
            Log.StepFailed(_logger, request.Step.ToKebab(), route.Backend, route.Model, attempts.Value, message);
            throw new LlmGatewayException(request.Step, route.Backend, route.Model, attempts.Value, kind, message, ex);
        }

        if (response is null) return await RunAsync(request, cancellationToken).ConfigureAwait(false);
        var text = response.Text;
        var usage = new LlmUsage(response.Usage?.InputTokenCount, response.Usage?.OutputTokenCount);
        RecordUsage(request.Step, route, usage);
        if (_cache is not null && cacheKey is not null)
        {
            await _cache.SetAsync(cacheKey, new LlmCacheEntry(text, route.Backend, route.Model, usage.InputTokens, usage.OutputTokens,
                plan.Degradation.Kind, plan.Degradation.Description, _time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        }
        CountStep(request.Step, route, "completed", plan.Degradation);
        activity?.SetTag("gen_ai.usage.input_tokens", usage.InputTokens);
        activity?.SetTag("gen_ai.usage.output_tokens", usage.OutputTokens);
        return new LlmStepResult
        {
            Step = request.Step, Status = LlmStepStatus.Completed, Text = text, Backend = route.Backend, BackendKind = route.Kind, Model = route.Model,
            Degradation = plan.Degradation, Usage = usage, Attempts = attempts.Value,
        };
    }

    /// <summary>
    /// One attempt: stream (giving up as soon as the answer passes the size cap), assemble, and reject anything that is
    /// not a complete, usable answer — error text or an error payload in a 200, a refusal, nothing at all.
    /// </summary>
    private static async Task<ChatResponse> CallAsync(IChatClient client, LlmResolvedRoute route, IReadOnlyList<ChatMessage> messages, ChatOptions options,
        LlmAnswerCheck answers, CancellationToken token)
    {
        var updates = new List<ChatResponseUpdate>();
        long chars = 0;
        await foreach (var update in client.GetStreamingResponseAsync(messages, options.Clone(), token).ConfigureAwait(false))
        {
            updates.Add(update);
            chars += update.Text.Length;
            if (chars > answers.MaxChars)
                throw new LlmBackendException(route.Backend, route.Model, LlmFailureKind.InvalidAnswer, $"the answer passed the cap of {answers.MaxChars} characters (LlmGateway:Answers:MaxChars); reading stopped");
        }
        var response = updates.ToChatResponse();
        if (response.FinishReason is null)
            throw new LlmBackendException(route.Backend, route.Model, LlmFailureKind.TruncatedStream, "the response stream ended without a completion marker");
        if (answers.Problem(response.Text) is { } problem)
            throw new LlmBackendException(route.Backend, route.Model, LlmFailureKind.InvalidAnswer, $"{problem} (finish reason {response.FinishReason})");
        return response;
    }

    private static Modality SentModalities(IReadOnlyList<ChatMessage> messages) =>
        messages.SelectMany(m => m.Contents).OfType<DataContent>().Aggregate(Modality.Text, (sent, media) => sent | MediaAttachment.ModalityOf(media.MediaType));

    private LlmStepResult Skipped(LlmStepRequest request, string reason, LlmResolvedRoute? route, Activity? activity)
    {
        Log.Skipped(_logger, request.Step.ToKebab(), reason);
        activity?.SetTag("merfactory.llm.skipped", reason);
        var tags = LlmTelemetry.Tags(route?.Backend, route?.Model, request.Step);
        tags.Add("merfactory.llm.outcome", "skipped");
        LlmTelemetry.Steps.Add(1, tags);
        return LlmStepResult.Skipped(request.Step, reason, route?.Backend, route?.Kind, route?.Model);
    }

    private static void CountStep(LlmStep step, LlmResolvedRoute route, string outcome, LlmDegradation degradation)
    {
        var tags = LlmTelemetry.Tags(route.Backend, route.Model, step);
        tags.Add("merfactory.llm.outcome", outcome);
        tags.Add("merfactory.llm.degradation", degradation.Kind.ToString());
        LlmTelemetry.Steps.Add(1, tags);
    }

    private static void RecordUsage(LlmStep step, LlmResolvedRoute route, LlmUsage usage)
    {
        if (usage.InputTokens is { } input)
        {
            var tags = LlmTelemetry.Tags(route.Backend, route.Model, step);
            tags.Add("gen_ai.token.type", "input");
            LlmTelemetry.TokenUsage.Record(input, tags);
        }
        if (usage.OutputTokens is { } output)
        {
            var tags = LlmTelemetry.Tags(route.Backend, route.Model, step);
            tags.Add("gen_ai.token.type", "output");
            LlmTelemetry.TokenUsage.Record(output, tags);
        }
    }

    private void OnRetry(string backend, BackendRuntime.RetryNotice notice)
    {
        var tags = new TagList { { "merfactory.llm.backend", backend } };
        if (notice.Cause is LlmBackendException b) tags.Add("error.type", b.Kind.ToString());
        LlmTelemetry.Retries.Add(1, tags);
        LlmTelemetry.RetryDelay.Record(notice.Delay.TotalSeconds, tags);
        Log.Retrying(_logger, backend, notice.NextAttempt, notice.Delay.TotalSeconds, notice.Cause?.Message ?? "unknown failure");
    }

    private static void Validate(LlmRoutingOptions routing)
    {
        var routes = routing.Steps.Select(s => (Name: s.Key.ToKebab(), Route: s.Value)).ToList();
        if (routing.Default is not null) routes.Add(("default", routing.Default));
        foreach (var (name, route) in routes)
        {
            if (string.IsNullOrWhiteSpace(route.Backend) || !routing.Backends.ContainsKey(route.Backend))
                throw new ArgumentException($"LLM route '{name}' names backend '{route.Backend}', which is not configured (configured: {string.Join(", ", routing.Backends.Keys)}).");
            if (string.IsNullOrWhiteSpace(route.Model))
                throw new ArgumentException($"LLM route '{name}' on backend '{route.Backend}' has no model.");
            var backend = routing.Backends[route.Backend];
            try
            {
                ModelCapabilities.Resolve(backend.Kind, route.Model, backend);
            }
            catch (FormatException ex)
            {
                throw new ArgumentException($"LLM route '{name}': {ex.Message}", ex);
            }
        }
    }

    public void Dispose()
    {
        foreach (var backend in _backends.Values) backend.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "LLM step {Step} on {Backend}/{Model} degraded: {How}")]
        public static partial void Degraded(ILogger logger, string step, string backend, string model, string how);

        [LoggerMessage(2, LogLevel.Debug, "LLM step {Step} answered from cache ({Backend}/{Model}, key {Key})")]
        public static partial void CacheHit(ILogger logger, string step, string backend, string model, string key);

        [LoggerMessage(3, LogLevel.Warning, "LLM backend {Backend}: attempt {NextAttempt} in {DelaySeconds:0.###} s after: {Cause}")]
        public static partial void Retrying(ILogger logger, string backend, int nextAttempt, double delaySeconds, string cause);

        [LoggerMessage(4, LogLevel.Error, "LLM step {Step} failed on {Backend}/{Model} after {Attempts} attempt(s): {Message}")]
        public static partial void StepFailed(ILogger logger, string step, string backend, string model, int attempts, string message);

        [LoggerMessage(6, LogLevel.Warning, "LLM step {Step}: {Backend}/{Model} refused the input ({Detail}); planning it again without that modality")]
        public static partial void InputRefused(ILogger logger, string step, string backend, string model, string detail);

        [LoggerMessage(5, LogLevel.Information, "LLM step {Step} skipped: {Reason}")]
        public static partial void Skipped(ILogger logger, string step, string reason);
    }
}
