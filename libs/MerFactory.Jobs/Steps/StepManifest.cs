using MerFactory.Contracts;

namespace MerFactory.Jobs.Steps;

/// <summary>
/// What a completed step produced: its typed <see cref="Response"/> (which names its output objects) and every object it
/// stored (<see cref="Outputs"/>, checked before the manifest is trusted). Written last, after every output object, so its
/// presence means the step is complete: a crash before it leaves the step to be redone, never half-done.
/// <see cref="TraceId"/> is the W3C trace the step ran in (the job's trace), when it was traced.
/// </summary>
public sealed record StepManifest<TResponse>(
    string Step,
    string Key,
    DateTimeOffset CompletedAt,
    TResponse Response,
    IReadOnlyList<ObjectReference> Outputs,
    double DurationSeconds,
    string? TraceId = null) where TResponse : class;
