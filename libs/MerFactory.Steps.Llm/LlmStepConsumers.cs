using System.Collections.Concurrent;
using System.Text.Json;
using MassTransit;
using MerFactory.Contracts;
using MerFactory.Contracts.Llm;
using MerFactory.Jobs.Messaging;
using MerFactory.Jobs.Steps;
using MerFactory.Llm;
using MerFactory.Llm.Caching;
using MerFactory.Llm.Routing;
using MerFactory.Storage;
using MerFactory.Steps;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MerFactory.Steps.Llm;

/// <summary>
/// Runs one LLM step through <see cref="ILlmGateway"/>; its outcome is the step's typed response, kept in its manifest.
/// <para>
/// Two caches meet here and must not contradict each other. The step key (this consumer's manifest) covers the
/// request <em>and the resolved route</em> — backend, kind, base URL, model, capabilities and sampling parameters —
/// so switching models or parameters misses the step cache and reaches the gateway, whose response cache (keyed on
/// exactly what is sent) then decides whether the backend is called. Requests that differ only in inputs the model
/// never sees (evidence for a model that takes the media itself) miss the step cache and hit the response cache.
/// </para>
/// </summary>
public sealed class RunLlmStepConsumer(ArtifactStore artifacts, LlmStepGateways gateways, LlmMediaCache mediaCache) : StepConsumer<RunLlmStep, LlmStepOutcome>(artifacts)
{
    /// <summary>Failure kind of an <see cref="LlmGatewayException"/>, carried in the fault's exception data.</summary>
    public const string FailureKindKey = "LlmFailureKind";

    protected override IEnumerable<ObjectReference> Inputs(RunLlmStep request) =>
        [.. request.Media ?? [], .. request.Evidence?.Frames ?? []];

    protected override object?[] Parameters(RunLlmStep request) => gateways.KeyParameters(request);

    protected override async Task<LlmStepOutcome> ExecuteAsync(RunLlmStep request, StepWorkspace workspace, CancellationToken cancellationToken)
    {
        var (step, gateway) = gateways.For(request);
        foreach (var input in Inputs(request))
        {
            if (string.IsNullOrEmpty(input.Sha256))
                throw new StepInputException($"LLM step '{request.Step}' of {request.FileId}: media '{input.Key}' has no SHA-256 (resolve the reference before sending; the step key depends on it).");
        }

        var media = await LoadAsync(request.Media ?? [], request, cancellationToken).ConfigureAwait(false);
        var evidence = request.Evidence is null ? null : new MediaEvidence(
            await LoadAsync(request.Evidence.Frames ?? [], request, cancellationToken).ConfigureAwait(false),
            request.Evidence.Transcript, request.Evidence.ProsodySummary);

        LlmStepResult result;
        try
        {
            result = await gateway.RunAsync(new LlmStepRequest(step, request.Prompt, media, evidence) { SampleId = request.FileId, UseCache = request.UseCache != false }, cancellationToken).ConfigureAwait(false);
        }
        catch (LlmGatewayException e)
        {
            // The gateway has already retried under its own policy; message-level retries would multiply paid
            // calls, so the step fails at once with the gateway's message (never stored, never cached).
            var failure = new StepInputException($"{request.FileId}: {e.Message}", e);
            failure.Data[FailureKindKey] = e.Kind.ToString();
            throw failure;
        }
        catch (ArgumentException e)
        {
            throw new StepInputException($"{request.FileId}: {e.Message}", e);
        }

        return new LlmStepOutcome(step.ToKebab(), result.Status.ToString(), result.Text, result.Backend, result.BackendKind?.ToString(), result.Model,
            result.Degradation.Kind.ToString(), string.IsNullOrEmpty(result.Degradation.Description) ? null : result.Degradation.Description,
            result.Usage.InputTokens, result.Usage.OutputTokens, result.Cached, result.Attempts, result.SkipReason);
    }

    private async Task<List<MediaAttachment>> LoadAsync(IReadOnlyList<ObjectReference> references, RunLlmStep request, CancellationToken cancellationToken)
    {
        var attachments = new MediaAttachment[references.Count];
        // A video description's sampled frames come from the store one request each: fetch a few at a time.
        await Parallel.ForEachAsync(Enumerable.Range(0, references.Count), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken },
            async (i, ct) => attachments[i] = await LoadAsync(references[i], request, ct).ConfigureAwait(false)).ConfigureAwait(false);
        return [.. attachments];
    }

    private async Task<MediaAttachment> LoadAsync(ObjectReference reference, RunLlmStep request, CancellationToken cancellationToken)
    {
        var name = LlmStepGateways.MediaName(reference);
        var mime = reference.ContentType is { Length: > 0 } declared && !declared.Equals("application/octet-stream", StringComparison.OrdinalIgnoreCase)
            ? declared
            : MimeTypes.FromExtension(reference.Key)
                ?? throw new StepInputException($"LLM step '{request.Step}' of {request.FileId}: media '{reference.Key}' has no content type and an unknown extension.");
        if (mediaCache.TryGet(reference, name, mime) is { } cached) return cached;
        try
        {
            var stream = await Artifacts.Objects.OpenReadAsync(reference.Key, cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var attachment = await MediaAttachment.FromStreamAsync(stream, name, mime, cancellationToken).ConfigureAwait(false);
                mediaCache.Add(reference, name, mime, attachment);
                return attachment;
            }
        }
        catch (ObjectNotFoundException e)
        {
            throw new StepInputException($"LLM step '{request.Step}' of {request.FileId}: media '{reference.Key}' is not in the object store.", e);
        }
        catch (InvalidDataException e)
        {
            throw new StepInputException($"LLM step '{request.Step}' of {request.FileId}: media '{reference.Key}': {e.Message}", e);
        }
    }
}

/// <summary>
/// Media recently sent to a model, by content hash: the same frames go out again for every copy of a clip, for the
/// gate agent's regenerations and for re-runs, and each would otherwise be fetched from the object store again.
/// Bounded by total bytes; the oldest entries go first.
/// </summary>
public sealed class LlmMediaCache(long maxBytes = 64L << 20)
{
    private readonly ConcurrentDictionary<string, MediaAttachment> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _age = new();
    private long _bytes;

    public MediaAttachment? TryGet(ObjectReference reference, string name, string mimeType) =>
        string.IsNullOrEmpty(reference.Sha256) ? null : _entries.GetValueOrDefault(Key(reference, name, mimeType));

    public void Add(ObjectReference reference, string name, string mimeType, MediaAttachment attachment)
    {
        if (string.IsNullOrEmpty(reference.Sha256) || attachment.Content.Length > maxBytes / 4) return;
        if (!_entries.TryAdd(Key(reference, name, mimeType), attachment)) return;
        _age.Enqueue(Key(reference, name, mimeType));
        Interlocked.Add(ref _bytes, attachment.Content.Length);
        while (Interlocked.Read(ref _bytes) > maxBytes && _age.TryDequeue(out var oldest))
        {
            if (_entries.TryRemove(oldest, out var removed)) Interlocked.Add(ref _bytes, -removed.Content.Length);
        }
    }

    private static string Key(ObjectReference reference, string name, string mimeType) => $"{reference.Sha256}|{mimeType}|{name}";
}

/// <summary>
/// The gateway for a request: the configured one, or — for a request carrying its own route — a gateway whose only
/// change is that step's route, kept per distinct route so its limiters and circuit persist between calls.
/// </summary>
public sealed class LlmStepGateways : IDisposable
{
    private static readonly JsonSerializerOptions RouteJson = new(JsonSerializerDefaults.Web);
    private readonly ILlmGateway _configured;
    private readonly LlmRoutingOptions _routing;
    private readonly ILlmResponseCache? _cache;
    private readonly bool _cacheEnabled;
    private readonly ILoggerFactory? _loggers;
    private readonly ConcurrentDictionary<string, Lazy<LlmGateway>> _overrides = new(StringComparer.Ordinal);

    public LlmStepGateways(ILlmGateway configured, LlmRoutingOptions routing, LlmGatewayOptions options, IObjectStore? store, ILoggerFactory? loggers = null)
    {
        _configured = configured;
        _routing = routing;
        _cacheEnabled = options.CacheEnabled && store is not null;
        _cache = _cacheEnabled ? new ObjectStoreLlmResponseCache(store!, options.CachePrefix) : null;
        _loggers = loggers;
    }

    public LlmRoutingOptions Routing => _routing;

    /// <summary>The step and the gateway that serves it; bad step names or routes are input errors.</summary>
    public (LlmStep Step, ILlmGateway Gateway) For(RunLlmStep request)
    {
        if (!LlmStepExtensions.TryParseStep(request.Step ?? "", out var step))
            throw new StepInputException($"{request.FileId}: unknown LLM step '{request.Step}' (audio, video, image, facial-expression, synthesis, gate).");
        var route = ParseRoute(request);
        if (route is null) return (step, _configured);
        route = ResolveBackendName(route, request);
        var key = $"{step}|{route.Backend}|{route.Model}|{route.Temperature}|{route.MaxOutputTokens}|{route.TopP}|{route.Seed}";
        try
        {
            return (step, _overrides.GetOrAdd(key, _ => new Lazy<LlmGateway>(() => Create(step, route))).Value);
        }
        catch (ArgumentException e)
        {
            _overrides.TryRemove(key, out _);
            throw new StepInputException($"{request.FileId}: routing {request.RoutingJson} is not usable: {e.Message}", e);
        }
    }

    /// <summary>
    /// Step-key parameters: the step, everything the gateway will send (prompt, evidence text, media names, which
    /// appear in degradation notes), and the resolved route, so a different backend, model or parameters misses.
    /// Never throws: a bad request gets a key of its own and fails in the step itself.
    /// </summary>
    public object?[] KeyParameters(RunLlmStep request)
    {
        LlmResolvedRoute? route;
        string? baseUrl;
        try
        {
            var (step, gateway) = For(request);
            route = gateway.Resolve(step);
            baseUrl = route is null ? null : _routing.Backends[route.Backend].BaseUrl?.ToString();
        }
        catch (StepInputException)
        {
            return ["invalid", request.Step, request.RoutingJson];
        }
        var parameters = new List<object?>
        {
            "step", request.Step,
            "route", route?.Backend ?? $"none ({_routing.Description})", route?.Kind.ToString(), baseUrl, route?.Model, route?.Capabilities.ToString(),
            route?.Parameters.Temperature, route?.Parameters.MaxOutputTokens, route?.Parameters.TopP, route?.Parameters.Seed,
            "prompt", request.Prompt,
            "transcript", request.Evidence?.Transcript,
            "prosody", request.Evidence?.ProsodySummary,
            "media", request.Media?.Count ?? 0,
        };
        parameters.AddRange((request.Media ?? []).Select(m => (object?)$"{MediaName(m)}|{m.ContentType}"));
        parameters.Add("frames");
        parameters.AddRange((request.Evidence?.Frames ?? []).Select(m => (object?)$"{MediaName(m)}|{m.ContentType}"));
        // A model call's step result belongs to its job: a restarted job (same id, e.g. an interrupted CLI run on the same
        // OUTPUT) never pays twice for a step it finished, with or without --cache, while a new job reaches the model
        // again unless it reuses earlier runs' answers through the response cache (--cache). A call outside any job keeps
        // the gateway's setting: a stable key with caching on, a key of its own without. A step with no route is a
        // deterministic skip, not a model call: it keeps a stable key.
        if (route is not null)
        {
            var caching = _cacheEnabled && request.UseCache != false;
            parameters.AddRange(["job", request.JobId != Guid.Empty ? request.JobId : caching ? "none" : Guid.NewGuid()]);
        }
        return [.. parameters];
    }

    /// <summary>
    /// A route may name a configured backend, or a kind ("openai", "ollama", "gemini", "hf", "openai-compatible") that picks
    /// the deployment's one backend of that kind — so a remote CLI's <c>--chatgpt-model</c> works whatever the backend is called.
    /// </summary>
    private LlmStepRoute ResolveBackendName(LlmStepRoute route, RunLlmStep request)
    {
        if (_routing.Backends.ContainsKey(route.Backend)) return route;
        LlmBackendKind[] kinds = route.Backend.ToLowerInvariant() switch
        {
            "openai" => [LlmBackendKind.OpenAI, LlmBackendKind.OpenAICompatible],
            "openai-compatible" => [LlmBackendKind.OpenAICompatible],
            "ollama" => [LlmBackendKind.Ollama],
            "gemini" => [LlmBackendKind.Gemini],
            "hf" or "huggingface" => [LlmBackendKind.HfServer],
            _ => [],
        };
        foreach (var kind in kinds)
        {
            var matches = _routing.Backends.Where(b => b.Value.Kind == kind).Select(b => b.Key).ToList();
            if (matches.Count == 1) return new LlmStepRoute { Backend = matches[0], Model = route.Model, Temperature = route.Temperature, MaxOutputTokens = route.MaxOutputTokens, TopP = route.TopP, Seed = route.Seed };
            if (matches.Count > 1)
                throw new StepInputException($"{request.FileId}: routing {request.RoutingJson} names the kind '{route.Backend}', and this gateway has several such backends ({string.Join(", ", matches)}); name one.");
        }
        throw new StepInputException($"{request.FileId}: routing {request.RoutingJson} names backend '{route.Backend}', which this gateway does not have (configured: {string.Join(", ", _routing.Backends.Keys)}).");
    }

    /// <summary>Name the model sees for a media object (its file name in the store).</summary>
    public static string MediaName(ObjectReference reference) => Path.GetFileName(reference.Key);

    private static LlmStepRoute? ParseRoute(RunLlmStep request)
    {
        if (string.IsNullOrWhiteSpace(request.RoutingJson)) return null;
        LlmStepRoute? route;
        try
        {
            route = JsonSerializer.Deserialize<LlmStepRoute>(request.RoutingJson, RouteJson);
        }
        catch (JsonException e)
        {
            throw new StepInputException($"{request.FileId}: routing JSON is malformed ({e.Message}); expected {{\"backend\":\"...\",\"model\":\"...\"}}.", e);
        }
        if (route is null || string.IsNullOrWhiteSpace(route.Backend) || string.IsNullOrWhiteSpace(route.Model))
            throw new StepInputException($"{request.FileId}: routing {request.RoutingJson} needs both \"backend\" and \"model\".");
        return route;
    }

    private LlmGateway Create(LlmStep step, LlmStepRoute route)
    {
        // Backends are shared read-only; only this step's route differs from the configuration.
        var routing = new LlmRoutingOptions
        {
            Backends = _routing.Backends,
            Steps = new Dictionary<LlmStep, LlmStepRoute>(_routing.Steps) { [step] = route },
            Default = _routing.Default,
            Description = $"{step.ToKebab()} routed by the request to {route.Backend}:{route.Model}",
        };
        return new LlmGateway(routing, _cache, _loggers?.CreateLogger<LlmGateway>());
    }

    public void Dispose()
    {
        foreach (var gateway in _overrides.Values.Where(g => g.IsValueCreated)) gateway.Value.Dispose();
    }
}

public static class LlmStepsRegistration
{
    /// <summary>
    /// The LLM step family: <see cref="LlmServiceCollectionExtensions.AddLlmGateway"/>, what the LLM step consumer needs and
    /// the consumer itself. What llm-gateway hosts, and the embedded CLI with all the others.
    /// <paramref name="configureRouting"/> must be pure (it is applied to the gateway and to the step keys alike).
    /// </summary>
    public static IServiceCollection AddLlmSteps(this IServiceCollection services, IConfiguration configuration, Func<LlmRoutingOptions, LlmRoutingOptions>? configureRouting = null)
    {
        services.AddLlmGateway(configuration, configureRouting);
        services.AddSingleton<LlmMediaCache>(_ => new LlmMediaCache());
        services.AddSingleton(sp =>
        {
            var routing = sp.GetRequiredService<IOptions<LlmRoutingOptions>>().Value;
            if (configureRouting is not null) routing = configureRouting(routing);
            return new LlmStepGateways(sp.GetRequiredService<ILlmGateway>(), routing, sp.GetRequiredService<IOptions<LlmGatewayOptions>>().Value,
                sp.GetService<IObjectStore>(), sp.GetService<ILoggerFactory>());
        });
        // LLM calls mostly wait on the network; the gateway's per-backend limits bound the real concurrency.
        return services.AddStepFamily(new StepFamily("llm", (bus, options) => bus.AddStepConsumer<RunLlmStepConsumer, RunLlmStep>(options, concurrentRequests: 64)));
    }
}
