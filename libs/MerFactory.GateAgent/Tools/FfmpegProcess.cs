using System.Globalization;
using System.Text.RegularExpressions;
using MerFactory.Media;

namespace MerFactory.GateAgent.Tools;

/// <summary>The output of one ffmpeg run; streams beyond the capture limit are drained but not kept.</summary>
internal sealed record FfmpegResult(int ExitCode, string StandardOutput, string StandardError);

/// <summary>
/// Runs ffmpeg on a local path from <see cref="GateInput"/> (<see cref="LocalGateMedia"/>) through the media library's driver (<see cref="FfmpegRunner"/>:
/// argument list, time limit, bounded capture), and reads what the gate's tools need from its diagnostics.
/// </summary>
internal static partial class FfmpegProcess
{
    public static async Task<FfmpegResult> RunAsync(GateOptions options, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        try
        {
            var result = await FfmpegRunner.RunAsync(options.FfmpegPath, arguments, options.ToolTimeout, cancellationToken,
                maxOutputBytes: MediaMeasurements.MaxCapturedChars, maxErrorChars: MediaMeasurements.MaxCapturedChars).ConfigureAwait(false);
            return new FfmpegResult(result.ExitCode, result.StandardOutputText, result.StandardError);
        }
        catch (FfmpegStartException error)
        {
            throw new GateToolException($"ffmpeg could not be started ({options.FfmpegPath}): {error.InnerException?.Message}", error);
        }
        catch (FfmpegTimeoutException)
        {
            throw new GateToolException($"ffmpeg took longer than {Describe(options.ToolTimeout)} and was stopped.");
        }
    }

    /// <summary>The input's duration from ffmpeg's "Duration: hh:mm:ss.cc" header line, or null when it says N/A.</summary>
    public static double? Duration(string standardError)
    {
        var match = DurationLine().Match(standardError);
        if (!match.Success) return null;
        return int.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture) * 3600
               + int.Parse(match.Groups[2].ValueSpan, CultureInfo.InvariantCulture) * 60
               + double.Parse(match.Groups[3].ValueSpan, CultureInfo.InvariantCulture);
    }

    /// <summary>ffmpeg's message when a -map selects nothing, i.e. the file has no stream of that kind.</summary>
    public static bool NoMatchingStream(string standardError) =>
        standardError.Contains("matches no streams", StringComparison.Ordinal)
        || standardError.Contains("does not contain any stream", StringComparison.Ordinal);

    /// <summary>The last non-empty line of ffmpeg's diagnostics, for error messages.</summary>
    public static string LastLine(string standardError) =>
        standardError.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.Length > 0) ?? "no diagnostic output";

    /// <summary>A path ffmpeg cannot mistake for an option or a protocol ("-x.mp4", "http:…").</summary>
    public static string InputPath(string path) => Path.GetFullPath(path);

    /// <summary>Fails with a clear message when the file a tool needs is missing.</summary>
    public static string RequireFile(string? path, string what, string alternative = "")
    {
        if (string.IsNullOrWhiteSpace(path)) throw new GateToolException($"this sample has no {what}{alternative}.");
        if (!File.Exists(path)) throw new GateToolException($"the {what} was not found: {Path.GetFileName(path)}.");
        return InputPath(path);
    }

    private static string Describe(TimeSpan limit) =>
        limit >= TimeSpan.FromSeconds(1)
            ? limit.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + " s"
            : limit.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms";

    [GeneratedRegex(@"Duration:\s*(\d+):(\d{2}):(\d{2}(?:\.\d+)?)")]
    private static partial Regex DurationLine();
}
