namespace MerFactory.Media;

/// <summary>Outcome of audio extraction. A video without an audio track is <see cref="HasAudio"/> = false, not an error.</summary>
public sealed record AudioExtraction(bool HasAudio, string? WavPath, double DurationSeconds);

/// <summary>One sampled frame on disk.</summary>
public sealed record SampledFrame(int Index, double TimestampSeconds, string Path);

/// <summary>A single extracted frame and which attempt (exact, ±1, ±2 frames) produced it.</summary>
public sealed record FrameExtraction(string Path, double RequestedSeconds, double ActualSeconds, int Attempts);

/// <summary>The input file cannot be used (empty, not media, corrupt, missing stream). Names the file and the cause.</summary>
public sealed class MediaInputException(string path, string cause, Exception? inner = null)
    : Exception($"{System.IO.Path.GetFileName(path)}: {cause}", inner)
{
    public string FilePath { get; } = path;
    public string Cause { get; } = cause;
}
