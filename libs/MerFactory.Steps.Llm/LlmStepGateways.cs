using System.Collections.Concurrent;
using System.Text.Json;
using MerFactory.Contracts;
using MerFactory.Contracts.Llm;
using MerFactory.Jobs.Steps;
using MerFactory.Llm;
using MerFactory.Llm.Caching;
using MerFactory.Llm.Routing;
using MerFactory.Storage;
using Microsoft.Extensions.Logging;

namespace MerFactory.Steps.Llm;

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
