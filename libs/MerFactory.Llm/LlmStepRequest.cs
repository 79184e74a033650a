namespace MerFactory.Llm;

/// <summary>One LLM call of the pipeline.</summary>
/// <param name="Step">Which step; selects the route (backend + model) and the modality the media needs.</param>
/// <param name="Prompt">The fully formatted prompt (see <see cref="Prompts.PromptCatalog"/>).</param>
/// <param name="Media">Attached media (the audio file, the video, the peak frame, ...).</param>
/// <param name="Evidence">Fallback inputs used when the routed model lacks the media's modality.</param>
public sealed record LlmStepRequest(LlmStep Step, string Prompt, IReadOnlyList<MediaAttachment>? Media = null, MediaEvidence? Evidence = null)
{
    /// <summary>Optional system instruction.</summary>
    public string? SystemPrompt { get; init; }

    /// <summary>Overrides the route's generation parameters for this call only.</summary>
    public LlmGenerationParameters? Parameters { get; init; }

    /// <summary>False: do not answer from the response cache (a job run without <c>--cache</c>); the answer is still written to it for later runs.</summary>
    public bool UseCache { get; init; } = true;

    /// <summary>Id of the sample (file stem) for logs and traces.</summary>
    public string? SampleId { get; init; }

    public IReadOnlyList<MediaAttachment> MediaList => Media ?? [];
}

/// <summary>Sampling parameters; null means the route's value, then the provider's default.</summary>
public sealed record LlmGenerationParameters(float? Temperature = null, int? MaxOutputTokens = null, float? TopP = null, long? Seed = null);

public enum LlmStepStatus
{
    /// <summary>The model answered; <see cref="LlmStepResult.Text"/> is non-empty.</summary>
    Completed,
    /// <summary>No call was made (no LLM configured for the step, or the model cannot take the input and no evidence allows a fallback).</summary>
    Skipped,
}

/// <summary>How the gateway changed a request because the model lacks a modality.</summary>
public enum DegradationKind
{
    None,
    /// <summary>Video replaced by sampled frames (and transcript/prosody text when present).</summary>
    VideoAsFrames,
    /// <summary>Video replaced by transcript/prosody text only (model takes no images either).</summary>
    VideoAsTranscript,
    /// <summary>Audio replaced by transcript + prosody description.</summary>
    AudioAsTranscript,
}

public sealed record LlmDegradation(DegradationKind Kind, string Description)
{
    public static readonly LlmDegradation None = new(DegradationKind.None, "");
}

public sealed record LlmUsage(long? InputTokens, long? OutputTokens)
{
    public long? TotalTokens => InputTokens is null && OutputTokens is null ? null : (InputTokens ?? 0) + (OutputTokens ?? 0);
}

/// <summary>Outcome of a step. Failures are exceptions (<see cref="LlmGatewayException"/>), never text.</summary>
public sealed record LlmStepResult
{
    public required LlmStep Step { get; init; }
    public required LlmStepStatus Status { get; init; }

    /// <summary>The answer; non-empty when <see cref="Status"/> is Completed, null otherwise.</summary>
    public string? Text { get; init; }

    /// <summary>Backend name from configuration (e.g. "gemini"), null when skipped before routing.</summary>
    public string? Backend { get; init; }
    public LlmBackendKind? BackendKind { get; init; }
    public string? Model { get; init; }
    public LlmDegradation Degradation { get; init; } = LlmDegradation.None;
    public LlmUsage Usage { get; init; } = new(null, null);

    /// <summary>True when the answer came from the response cache (no backend call).</summary>
    public bool Cached { get; init; }

    /// <summary>Backend attempts made (0 for cache hits and skips).</summary>
    public int Attempts { get; init; }

    /// <summary>Why the step was skipped.</summary>
    public string? SkipReason { get; init; }

    public static LlmStepResult Skipped(LlmStep step, string reason, string? backend = null, LlmBackendKind? kind = null, string? model = null) =>
        new() { Step = step, Status = LlmStepStatus.Skipped, SkipReason = reason, Backend = backend, BackendKind = kind, Model = model };
}

public interface ILlmGateway
{
    /// <summary>
    /// Runs one step on its routed backend: capability check and explicit degradation, response cache,
    /// retries/limits. Throws <see cref="LlmGatewayException"/> when the backend fails after the allowed retries.
    /// </summary>
    Task<LlmStepResult> RunAsync(LlmStepRequest request, CancellationToken cancellationToken = default);

    /// <summary>Where a step would go (null when no LLM is configured for it).</summary>
    LlmResolvedRoute? Resolve(LlmStep step);
}

/// <summary>A step's route after applying defaults.</summary>
public sealed record LlmResolvedRoute(LlmStep Step, string Backend, LlmBackendKind Kind, string Model, Modality Capabilities, LlmGenerationParameters Parameters);
