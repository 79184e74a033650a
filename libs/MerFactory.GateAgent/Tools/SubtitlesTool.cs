using MerFactory.Media;

namespace MerFactory.GateAgent.Tools;

/// <summary>
/// The first embedded (soft) subtitle stream as SRT text (MER-Factory's <c>extract_subtitles</c>), read from ffmpeg's
/// output directly instead of a temporary file, truncated to 2000 characters.
/// </summary>
public sealed class SubtitlesTool : IGateTool
{
    public const string ToolName = "subtitles";

    public const string NoSubtitles = "No soft subtitles found in this video file.";

    internal const int MaxChars = 2000;

    public string Name => ToolName;

    public string Description =>
        "Returns the text (with times) of the first subtitle stream embedded in the video file, if any. "
        + "Use it to check what is said against the audio analysis.";

    public IReadOnlyList<GateToolParameter> Parameters { get; } = [];

    public bool IsAvailable(GateToolContext context) => context.Media.Has(GateMediaSource.Media);

    public async Task<string> RunAsync(GateToolArguments arguments, GateToolContext context, CancellationToken cancellationToken)
    {
        var name = context.Media.Require(GateMediaSource.Media, "source video file");
        var result = await context.Media.MeasureAsync(GateMediaSource.Media, MediaMeasurements.Subtitles, cancellationToken).ConfigureAwait(false);
        if (FfmpegProcess.NoMatchingStream(result.StandardError)) return NoSubtitles;
        if (result.ExitCode != 0)
            throw new GateToolException($"the first subtitle stream of {name} could not be read as text: {FfmpegProcess.LastLine(result.StandardError)}");

        var text = result.StandardOutput.Replace("\r\n", "\n", StringComparison.Ordinal).Trim();
        if (text.Length == 0) return "The first subtitle stream is empty.";
        return text.Length <= MaxChars
            ? "Subtitles:\n" + text
            : "Subtitles:\n" + text[..MaxChars] + $"\n[truncated: {text.Length - MaxChars} more characters]";
    }
}
