using MerFactory.Contracts;

namespace MerFactory.Jobs.Steps;

/// <summary>
/// What a completed step produced. Written last, after every output object, so its presence means
/// the step is complete: a crash before it leaves the step to be redone, never half-done.
/// <see cref="TraceId"/> is the W3C trace the step ran in (the job's trace), when it was traced.
/// </summary>
public sealed record StepManifest(
    string Step,
    string Key,
    DateTimeOffset CompletedAt,
    IReadOnlyDictionary<string, ObjectReference> Outputs,
    string ResultJson,
    double DurationSeconds,
    string? TraceId = null);
