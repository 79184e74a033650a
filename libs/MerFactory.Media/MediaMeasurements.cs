namespace MerFactory.Media;

/// <summary>
/// The ffmpeg measurements the gate agent's tools read (loudness, motion, subtitles): one argument list each, run here
/// on a local file or as a media step where the media is, so both give the same output to parse.
/// </summary>
public static class MediaMeasurements
{
    public const string Loudness = "loudness";
    public const string Motion = "motion";
    public const string Subtitles = "subtitles";

    /// <summary>Most output kept of a measurement (standard output and diagnostics each).</summary>
    public const int MaxCapturedChars = 1 << 20;

    public static bool IsKnown(string measurement) => measurement is Loudness or Motion or Subtitles;

    /// <summary>ffmpeg's arguments for <paramref name="measurement"/> of the file at <paramref name="path"/> (a full path).</summary>
    public static IReadOnlyList<string> Arguments(string measurement, string path) => measurement switch
    {
        // volumedetect: mean and max dBFS of the first audio stream.
        Loudness => ["-nostats", "-i", path, "-map", "0:a:0", "-vn", "-sn", "-dn", "-af", "volumedetect", "-f", "null", "-"],
        // freezedetect as MER-Factory: no pixel change above 0.3 % for at least 1 s.
        Motion => ["-nostats", "-i", path, "-map", "0:v:0", "-an", "-sn", "-dn", "-vf", "freezedetect=n=0.003:d=1.0", "-f", "null", "-"],
        // The first soft subtitle stream as SRT on standard output.
        Subtitles => ["-nostats", "-loglevel", "error", "-i", path, "-map", "0:s:0", "-f", "srt", "pipe:1"],
        _ => throw new ArgumentException($"unknown media measurement '{measurement}' (loudness, motion, subtitles)", nameof(measurement)),
    };
}
