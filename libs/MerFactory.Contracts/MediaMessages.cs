namespace MerFactory.Contracts.Media;

/// <summary>Probe a media object: duration, frame rate, streams.</summary>
[Step("probe")]
public sealed record ProbeMedia(Guid JobId, string FileId, ObjectReference Source) : IStepRequest<MediaProbed>;

/// <summary>Extract 16 kHz mono PCM WAV from a video or convert an audio file.</summary>
[Step("extract-audio")]
public sealed record ExtractAudio(Guid JobId, string FileId, ObjectReference Source) : IStepRequest<AudioExtracted>;

/// <summary>Sample frames as PNG (every frame when <see cref="Fps"/> is 0).</summary>
[Step("sample-frames")]
public sealed record SampleFrames(Guid JobId, string FileId, ObjectReference Source, double Fps) : IStepRequest<FramesSampled>;

/// <summary>One frame at a timestamp, with the ±1/±2 frame fallbacks.</summary>
[Step("extract-frame")]
public sealed record ExtractFrame(Guid JobId, string FileId, ObjectReference Source, double TimestampSeconds) : IStepRequest<FrameExtracted>;

/// <summary>What ffprobe found (the <c>{id}_media.json</c> sidecar's <c>Probe</c>).</summary>
public sealed record MediaProbed(
    double DurationSeconds,
    double FrameRate,
    bool HasVideo,
    bool HasAudio,
    int Width,
    int Height,
    int Rotation,
    string FormatName,
    IReadOnlyList<MediaStreamInfo> Streams);

public sealed record MediaStreamInfo(string Kind, string Codec, int Width, int Height, double FrameRate, int SampleRate, int Channels, int Rotation);

/// <summary>The WAV, or <see cref="HasAudio"/> false (and no <see cref="Wav"/>) for a source without an audio track.</summary>
public sealed record AudioExtracted(bool HasAudio, double DurationSeconds, ObjectReference? Wav);

public sealed record SampledFrameRef(int Index, double TimestampSeconds, ObjectReference Frame);

public sealed record FramesSampled(double Fps, IReadOnlyList<SampledFrameRef> Frames);

public sealed record FrameExtracted(double RequestedSeconds, double ActualSeconds, int Attempts, ObjectReference Frame);

/// <summary>
/// One of the gate agent's media measurements (<c>loudness</c>, <c>motion</c>, <c>subtitles</c>) of a file, run where
/// the media is (media-extract), so the orchestrator never fetches the video for its tools.
/// </summary>
[Step("measure-media")]
public sealed record MeasureMedia(Guid JobId, string FileId, ObjectReference Source, string Measurement) : IStepRequest<MediaMeasured>;

/// <summary>What ffmpeg printed for a measurement (bounded); the gate agent's tools read their figures from it.</summary>
public sealed record MediaMeasured(int ExitCode, string StandardOutput, string StandardError);
