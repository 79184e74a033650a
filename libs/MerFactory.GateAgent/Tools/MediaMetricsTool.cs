using System.Globalization;
using System.Text.RegularExpressions;
using MerFactory.Media;

namespace MerFactory.GateAgent.Tools;

/// <summary>
/// Loudness and duration (MER-Factory's <c>analyze_media_metrics</c>): ffmpeg <c>volumedetect</c> mean/max dB on the
/// sample's WAV or video, without MER-Factory's shell string.
/// </summary>
public sealed partial class MediaMetricsTool : IGateTool
{
    public const string ToolName = "media_metrics";

    private const string AudioSource = "audio";
    private const string VideoSource = "video";

    public string Name => ToolName;

    public string Description =>
        "Measures the loudness (mean and max volume in dBFS) and the duration of the sample's audio. "
        + "Use it to check claims about loud, shouting, quiet, whispering or silent speech.";

    public IReadOnlyList<GateToolParameter> Parameters { get; } =
    [
        new("source", GateParameterType.String, "\"audio\" = the extracted WAV, \"video\" = the source media file; default: audio when there is a WAV")
        {
            AllowedValues = [AudioSource, VideoSource],
        },
    ];

    public bool IsAvailable(GateToolContext context) => context.Media.Has(GateMediaSource.Audio) || context.Media.Has(GateMediaSource.Media);

    public async Task<string> RunAsync(GateToolArguments arguments, GateToolContext context, CancellationToken cancellationToken)
    {
        var source = arguments.GetString("source") ?? (context.Media.Has(GateMediaSource.Audio) ? AudioSource : VideoSource);
        var media = source == AudioSource ? GateMediaSource.Audio : GateMediaSource.Media;
        var name = source == AudioSource
            ? context.Media.Require(media, "extracted audio (WAV)", "; use source \"video\"")
            : context.Media.Require(media, "source media file");
        var result = await context.Media.MeasureAsync(media, MediaMeasurements.Loudness, cancellationToken).ConfigureAwait(false);

        if (FfmpegProcess.NoMatchingStream(result.StandardError)) return $"The {source} file {name} has no audio stream, so it is silent.";
        var mean = Volume(MeanVolume(), result.StandardError);
        var max = Volume(MaxVolume(), result.StandardError);
        if (result.ExitCode != 0 || mean is null || max is null)
            throw new GateToolException($"ffmpeg could not measure the volume of {name} (exit code {result.ExitCode}): {FfmpegProcess.LastLine(result.StandardError)}");

        var duration = FfmpegProcess.Duration(result.StandardError);
        var durationText = duration is { } seconds ? $"{seconds.ToString("0.00", CultureInfo.InvariantCulture)} s" : "unknown";
        var clipping = max.Value >= -0.5 ? " Peaks reach full scale (possible clipping)." : "";
        return $"Media metrics ({source}, {name}): duration {durationText}, mean volume {Db(mean.Value)} dB, max volume {Db(max.Value)} dB. "
               + $"Loudness band by mean volume: {Band(mean.Value)}.{clipping}";
    }

    /// <summary>Coarse bands so the model need not know dBFS conventions; the numbers stay in the answer.</summary>
    internal static string Band(double meanDb) => meanDb switch
    {
        < -60 => "near-silent (below -60 dB)",
        < -40 => "quiet (-60 to -40 dB)",
        < -25 => "moderate (-40 to -25 dB)",
        _ => "loud (-25 dB or more)",
    };

    private static string Db(double value) => value.ToString("0.0", CultureInfo.InvariantCulture);

    private static double? Volume(Regex pattern, string text)
    {
        var match = pattern.Match(text);
        return match.Success ? double.Parse(match.Groups[1].ValueSpan, NumberStyles.Float, CultureInfo.InvariantCulture) : null;
    }

    [GeneratedRegex(@"mean_volume:\s*(-?(?:\d+(?:\.\d+)?|inf))\s*dB")]
    private static partial Regex MeanVolume();

    [GeneratedRegex(@"max_volume:\s*(-?(?:\d+(?:\.\d+)?|inf))\s*dB")]
    private static partial Regex MaxVolume();
}
