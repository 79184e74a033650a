namespace MerFactory.Llm.Routing;

/// <summary>
/// Which backend and model serve each step, and how each backend is reached and limited.
/// Bound from configuration section <see cref="SectionName"/>; API keys come from user-secrets or AppHost
/// secret parameters (e.g. <c>LlmGateway__Backends__gemini__ApiKey</c>), never from appsettings.
/// </summary>
public sealed class LlmRoutingOptions
{
    public const string SectionName = "LlmGateway";

    /// <summary>Backends by name (e.g. "gemini", "openai", "ollama", "hf").</summary>
    public Dictionary<string, LlmBackendOptions> Backends { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Per-step routes; steps without a route use <see cref="Default"/>.</summary>
    public Dictionary<LlmStep, LlmStepRoute> Steps { get; set; } = [];

    /// <summary>Route for steps not listed in <see cref="Steps"/>; null with no steps means "no LLM configured".</summary>
    public LlmStepRoute? Default { get; set; }

    /// <summary>How the routes were chosen (e.g. from which CLI flags), for the run log.</summary>
    public string? Description { get; set; }

    /// <summary>Checks every answer passes before it is stored (<c>LlmGateway:Answers</c>).</summary>
    public Answers.LlmAnswerOptions Answers { get; set; } = new();

    public LlmStepRoute? RouteFor(LlmStep step) => Steps.TryGetValue(step, out var route) ? route : Default;
}

/// <summary>Backend + model (+ optional sampling parameters) for a step.</summary>
public sealed class LlmStepRoute
{
    public string Backend { get; set; } = "";
    public string Model { get; set; } = "";
    public float? Temperature { get; set; }
    public int? MaxOutputTokens { get; set; }
    public float? TopP { get; set; }
    public long? Seed { get; set; }

    public static LlmStepRoute To(string backend, string model) => new() { Backend = backend, Model = model };
}

public sealed class LlmBackendOptions
{
    public LlmBackendKind Kind { get; set; }

    /// <summary>Base URL; null uses the provider's public endpoint (Gemini, OpenAI) or the local default (Ollama :11434, hf-server :7860).</summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>Secret; sent only in the auth header, never logged.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Requests in flight at once against this backend.</summary>
    public int MaxConcurrency { get; set; } = 4;

    /// <summary>Requests started per <see cref="RateLimitWindow"/> (scaled from a per-minute figure); null = unlimited.</summary>
    public int? RequestsPerMinute { get; set; }

    /// <summary>Window over which <see cref="RequestsPerMinute"/> is enforced exactly (no window ever holds more starts than the scaled limit).</summary>
    public TimeSpan RateLimitWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Extra spacing added to the window: a permit is granted a little before the request reaches the provider
    /// (body serialisation, scheduling, network), and that jitter must not push a window over the limit.
    /// </summary>
    public TimeSpan RateLimitMargin { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Per-attempt timeout (<c>--llm-timeout</c>); generous because multimodal LLM calls on long media take minutes.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>
    /// Everything one step may take on this backend — attempts, back-off and provider-requested waits together —
    /// so a model that never answers fails a file within minutes, not attempts × timeout.
    /// </summary>
    public TimeSpan StepTimeout { get; set; } = TimeSpan.FromMinutes(4.5);

    /// <summary>
    /// Longest provider-requested wait (Retry-After / RetryInfo) worth honouring; a longer one (an exhausted daily
    /// quota) fails the step at once instead of parking it. Queueing for this backend's own permits is not bounded:
    /// large batches wait their turn rather than time out.
    /// </summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromMinutes(5);

    public int MaxRetries { get; set; } = 4;
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(2);
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(90);

    public double CircuitFailureRatio { get; set; } = 0.5;
    public int CircuitMinimumThroughput { get; set; } = 10;
    public TimeSpan CircuitSamplingDuration { get; set; } = TimeSpan.FromMinutes(2);
    public TimeSpan CircuitBreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gemini: requests whose inline media would exceed this go through the File API.</summary>
    public long InlineRequestLimitBytes { get; set; } = 20L * 1024 * 1024;

    /// <summary>Gemini: how often to poll an uploaded file until it is ACTIVE.</summary>
    public TimeSpan FileProcessingPollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Capability overrides per model: model name → comma-separated modalities ("text,image").</summary>
    public Dictionary<string, string> ModelCapabilities { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
