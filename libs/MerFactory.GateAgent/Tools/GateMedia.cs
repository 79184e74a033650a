using MerFactory.Media;

namespace MerFactory.GateAgent.Tools;

/// <summary>Which of the sample's media a measurement reads.</summary>
public enum GateMediaSource
{
    /// <summary>The extracted 16 kHz WAV.</summary>
    Audio,

    /// <summary>The source video (or audio) file.</summary>
    Media,
}

/// <summary>What an ffmpeg measurement printed (<see cref="MediaMeasurements"/>); the tools read their figures from it.</summary>
public sealed record GateMediaResult(int ExitCode, string StandardOutput, string StandardError);

/// <summary>
/// Where the media tools' ffmpeg measurements run: on local files (<see cref="LocalGateMedia"/>), or as media steps where
/// the media is (the pipeline's, so the orchestrator never fetches a video for its tools).
/// </summary>
public interface IGateMedia
{
    bool Has(GateMediaSource source);

    /// <summary>
    /// The file's name for messages; throws <see cref="GateToolException"/> ("this sample has no {what}{alternative}.",
    /// or that it is missing) when the sample lacks it.
    /// </summary>
    string Require(GateMediaSource source, string what, string alternative = "");

    /// <summary>Runs one of <see cref="MediaMeasurements"/>; a failure to run at all is a <see cref="GateToolException"/>.</summary>
    Task<GateMediaResult> MeasureAsync(GateMediaSource source, string measurement, CancellationToken cancellationToken);
}

/// <summary>Measurements on the paths of <see cref="GateInput"/> (<see cref="GateInput.AudioPath"/>, <see cref="GateInput.MediaPath"/>) with ffmpeg here.</summary>
public sealed class LocalGateMedia(GateInput input, GateOptions options) : IGateMedia
{
    private string? PathOf(GateMediaSource source) => source == GateMediaSource.Audio ? input.AudioPath : input.MediaPath;

    public bool Has(GateMediaSource source) => !string.IsNullOrWhiteSpace(PathOf(source));

    public string Require(GateMediaSource source, string what, string alternative = "") =>
        Path.GetFileName(FfmpegProcess.RequireFile(PathOf(source), what, alternative));

    public async Task<GateMediaResult> MeasureAsync(GateMediaSource source, string measurement, CancellationToken cancellationToken)
    {
        var path = FfmpegProcess.InputPath(PathOf(source) ?? throw new GateToolException($"this sample has no {source.ToString().ToLowerInvariant()} file."));
        var result = await FfmpegProcess.RunAsync(options, MediaMeasurements.Arguments(measurement, path), cancellationToken).ConfigureAwait(false);
        return new GateMediaResult(result.ExitCode, result.StandardOutput, result.StandardError);
    }
}
