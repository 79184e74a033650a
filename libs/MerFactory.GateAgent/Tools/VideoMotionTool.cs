using System.Globalization;
using System.Text.RegularExpressions;
using MerFactory.Media;

namespace MerFactory.GateAgent.Tools;

/// <summary>
/// Motion vs. freeze (MER-Factory's <c>analyze_video_motion</c>): ffmpeg <c>freezedetect=n=0.003:d=1.0</c>, frozen share
/// of the duration, and the same three verdicts. Unlike MER-Factory, a freeze that lasts to the end of the video (ffmpeg
/// reports its start but no duration) is counted, so an entirely still video is "mostly static", not "dynamic".
/// </summary>
public sealed partial class VideoMotionTool : IGateTool
{
    public const string ToolName = "video_motion";

    public const string MostlyStatic = "Video is mostly static (talking head or slide).";
    public const string SignificantStatic = "Video has significant static segments.";
    public const string Dynamic = "Video is dynamic.";

    public string Name => ToolName;

    public string Description =>
        "Measures how much of the video is frozen (no pixel change for at least 1 s) and says whether it is mostly static, "
        + "has significant static segments, or is dynamic. Use it to check claims about movement, gestures or high energy. "
        + "It measures pixel change of whole frames: a person talking in front of a still camera can still read as static.";

    public IReadOnlyList<GateToolParameter> Parameters { get; } = [];

    public bool IsAvailable(GateToolContext context) => context.Media.Has(GateMediaSource.Media);

    public async Task<string> RunAsync(GateToolArguments arguments, GateToolContext context, CancellationToken cancellationToken)
    {
        var name = context.Media.Require(GateMediaSource.Media, "source video file");
        var result = await context.Media.MeasureAsync(GateMediaSource.Media, MediaMeasurements.Motion, cancellationToken).ConfigureAwait(false);
        if (FfmpegProcess.NoMatchingStream(result.StandardError)) return $"The media file {name} has no video stream.";
        if (result.ExitCode != 0)
            throw new GateToolException($"ffmpeg could not analyse the motion of {name} (exit code {result.ExitCode}): {FfmpegProcess.LastLine(result.StandardError)}");
        var duration = FfmpegProcess.Duration(result.StandardError);
        if (duration is not > 0) throw new GateToolException($"the duration of {name} is unknown, so the frozen share cannot be computed.");

        var (frozen, segments) = FrozenSeconds(result.StandardError, duration.Value);
        var share = Math.Min(1, frozen / duration.Value);
        var verdict = share > 0.8 ? MostlyStatic : share > 0.3 ? SignificantStatic : Dynamic;
        return $"{verdict} Frozen for {frozen.ToString("0.00", CultureInfo.InvariantCulture)} s of {duration.Value.ToString("0.00", CultureInfo.InvariantCulture)} s "
               + $"({(share * 100).ToString("0", CultureInfo.InvariantCulture)}%) in {segments} segment(s).";
    }

    /// <summary>Sums freezes; one still open at the end lasts until <paramref name="duration"/>.</summary>
    internal static (double Seconds, int Segments) FrozenSeconds(string standardError, double duration)
    {
        double total = 0;
        double? openStart = null;
        var segments = 0;
        foreach (Match match in FreezeLine().Matches(standardError))
        {
            var value = double.Parse(match.Groups[2].ValueSpan, NumberStyles.Float, CultureInfo.InvariantCulture);
            switch (match.Groups[1].Value)
            {
                case "start":
                    openStart = value;
                    segments++;
                    break;
                case "duration":
                    total += value;
                    openStart = null;
                    break;
            }
        }

        if (openStart is { } start && start < duration) total += duration - start;
        return (total, segments);
    }

    [GeneratedRegex(@"lavfi\.freezedetect\.freeze_(start|duration):\s*([0-9.eE+-]+)")]
    private static partial Regex FreezeLine();
}
