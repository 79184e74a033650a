using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace MerFactory.GateAgent.Tools;

/// <summary>The output of one ffmpeg run; streams beyond the capture limit are drained but not kept.</summary>
internal sealed record FfmpegResult(int ExitCode, string StandardOutput, string StandardError);

/// <summary>
/// Runs ffmpeg directly (argument list, no shell) on a path from <see cref="GateInput"/>, with a time limit and bounded
/// output capture.
/// </summary>
internal static partial class FfmpegProcess
{
    private const int MaxCapturedChars = 1 << 20;

    public static async Task<FfmpegResult> RunAsync(GateToolContext context, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(context.Options.FfmpegPath)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        // -nostdin: ffmpeg otherwise reads the console for interactive keys.
        foreach (var argument in (string[])["-hide_banner", "-nostdin", "-nostats", .. arguments]) startInfo.ArgumentList.Add(argument);

        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception error)
        {
            throw new GateToolException($"ffmpeg could not be started ({context.Options.FfmpegPath}): {error.Message}", error);
        }

        var standardOutput = ReadBoundedAsync(process.StandardOutput);
        var standardError = ReadBoundedAsync(process.StandardError);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(context.Options.ToolTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            await Task.WhenAll(standardOutput, standardError).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            throw new GateToolException($"ffmpeg took longer than {Describe(context.Options.ToolTimeout)} and was stopped.");
        }

        return new FfmpegResult(process.ExitCode, await standardOutput.ConfigureAwait(false), await standardError.ConfigureAwait(false));
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

    private static async Task<string> ReadBoundedAsync(StreamReader reader)
    {
        var kept = new StringBuilder();
        var buffer = new char[8192];
        int read;
        while ((read = await reader.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            // Keep reading past the limit so ffmpeg never blocks on a full pipe.
            var room = MaxCapturedChars - kept.Length;
            if (room > 0) kept.Append(buffer, 0, Math.Min(room, read));
        }

        return kept.ToString();
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited between the timeout and the kill.
        }
    }

    [GeneratedRegex(@"Duration:\s*(\d+):(\d{2}):(\d{2}(?:\.\d+)?)")]
    private static partial Regex DurationLine();
}
