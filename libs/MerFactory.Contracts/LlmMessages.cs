namespace MerFactory.Contracts.Llm;

/// <summary>
/// What the caller already has that can stand in for a step's media when the routed model lacks its modality:
/// frames as object references, transcript and prosody inline (they are small text).
/// </summary>
public sealed record LlmEvidenceRefs(IReadOnlyList<ObjectReference>? Frames = null, string? Transcript = null, string? ProsodySummary = null);

/// <summary>
/// Run one LLM step (audio, video, image, facial-expression, synthesis, gate) on its routed backend.
/// </summary>
/// <param name="Step">Step name in kebab case ("image", "facial-expression", ...).</param>
/// <param name="Prompt">The fully formatted prompt.</param>
/// <param name="Media">The step's media (the audio file, the video, the peak frame); each needs its SHA-256.</param>
/// <param name="RoutingJson">
/// Optional route for this call only, an <c>LlmStepRoute</c> as JSON: <c>{"backend":"local","model":"gpt-4.1","temperature":0.2}</c>.
/// The backend must be one the gateway is configured with (keys never travel in messages). Null uses the configured route.
/// </param>
/// <param name="UseCache">
/// False for jobs run without <c>--cache</c>: the answer is not taken from the response cache (it is still written
/// there for later runs), so every new run reaches the model as MER-Factory does; the step cache is scoped to
/// <see cref="JobId"/>, so a restarted job never repeats a finished step. Null keeps the gateway's configured behaviour.
/// </param>
[Step("llm")]
public sealed record RunLlmStep(
    Guid JobId,
    string FileId,
    string Step,
    string Prompt,
    IReadOnlyList<ObjectReference> Media,
    LlmEvidenceRefs? Evidence = null,
    string? RoutingJson = null,
    bool? UseCache = null) : IStepRequest<LlmStepOutcome>;

/// <summary>
/// The result of <see cref="RunLlmStep"/>, stored in the step's manifest.
/// A failure is never an outcome: the step faults instead.
/// </summary>
/// <param name="Status">"Completed" (Text non-empty) or "Skipped" (SkipReason says why).</param>
/// <param name="Cached">True when the answer came from the LLM response cache (no backend call).</param>
public sealed record LlmStepOutcome(
    string Step,
    string Status,
    string? Text,
    string? Backend,
    string? BackendKind,
    string? Model,
    string Degradation,
    string? DegradationDescription,
    long? InputTokens,
    long? OutputTokens,
    bool Cached,
    int Attempts,
    string? SkipReason);
