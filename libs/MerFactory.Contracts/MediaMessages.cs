namespace MerFactory.Contracts.Media;

/// <summary>Every step request names the job and file it serves (for progress and traces) and its input.</summary>
public interface IStepRequest
{
    Guid JobId { get; }
    string FileId { get; }
}

/// <summary>Probe a media object: duration, frame rate, streams.</summary>
public sealed record ProbeMedia(Guid JobId, string FileId, ObjectReference Source) : IStepRequest;

/// <summary>Extract 16 kHz mono PCM WAV from a video or convert an audio file.</summary>
public sealed record ExtractAudio(Guid JobId, string FileId, ObjectReference Source) : IStepRequest;

/// <summary>Sample frames as PNG (every frame when <see cref="Fps"/> is 0).</summary>
public sealed record SampleFrames(Guid JobId, string FileId, ObjectReference Source, double Fps) : IStepRequest;

/// <summary>One frame at a timestamp, with the ±1/±2 frame fallbacks.</summary>
public sealed record ExtractFrame(Guid JobId, string FileId, ObjectReference Source, double TimestampSeconds) : IStepRequest;

/// <summary>
/// The answer to any step request: the step's manifest, or why it produced nothing. <see cref="TraceId"/> is the
/// W3C trace that produced the outputs (an earlier job's when <see cref="FromCache"/>), when it was traced.
/// </summary>
public sealed record StepCompleted(
    Guid JobId,
    string FileId,
    string Step,
    string StepKey,
    bool FromCache,
    IReadOnlyDictionary<string, ObjectReference> Outputs,
    string ResultJson,
    string? TraceId = null);
