using System.Diagnostics;

namespace MerFactory.Speech.Engines;

/// <summary>
/// Runs Debian's <c>pocketsphinx_continuous</c> CLI on one file: the reference the in-process engine is compared
/// with (accuracy and speed) in tests and the benchmark.
/// </summary>
public static class PocketSphinxCli
{
    /// <summary>The CLI's transcript (utterances joined) and the CPU time its process used.</summary>
    public sealed record Result(string Text, TimeSpan ProcessorTime);

    public static async Task<Result> TranscribeAsync(string wavPath, PocketSphinxOptions model, CancellationToken cancellationToken = default)
    {
        // Through bash so its `times` builtin reports the child's CPU time (Process.TotalProcessorTime is gone once a
        // Linux process has exited).
        var startInfo = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[]
                 {
                     "-c", "\"$0\" \"$@\"; status=$?; times >&2; exit $status", "pocketsphinx_continuous",
                     "-infile", wavPath,
                     "-hmm", Path.Combine(model.ModelDirectory, model.AcousticModel),
                     "-lm", Path.Combine(model.ModelDirectory, model.LanguageModel),
                     "-dict", Path.Combine(model.ModelDirectory, model.Dictionary),
                     "-logfn", "/dev/null",
                 })
        {
            startInfo.ArgumentList.Add(argument);
        }
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("pocketsphinx_continuous could not be started");
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        var stdout = await process.StandardOutput.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        var errors = await stderr.ConfigureAwait(false);
        if (process.ExitCode != 0) throw new InvalidOperationException($"pocketsphinx_continuous failed on '{wavPath}' ({process.ExitCode}): {errors}");
        // One line per utterance the CLI's own endpointer found.
        return new Result(string.Join(' ', stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)), ChildProcessorTime(errors));
    }

    /// <summary>Parses the children line of bash's <c>times</c> output, e.g. <c>0m2.074s 0m0.238s</c> (user, system).</summary>
    internal static TimeSpan ChildProcessorTime(string timesOutput)
    {
        var line = timesOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? string.Empty;
        var total = TimeSpan.Zero;
        foreach (var part in line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var m = part.IndexOf('m', StringComparison.Ordinal);
            if (m <= 0 || !part.EndsWith('s')) continue;
            if (int.TryParse(part[..m], System.Globalization.CultureInfo.InvariantCulture, out var minutes) &&
                double.TryParse(part[(m + 1)..^1], System.Globalization.CultureInfo.InvariantCulture, out var seconds))
            {
                total += TimeSpan.FromMinutes(minutes) + TimeSpan.FromSeconds(seconds);
            }
        }
        return total;
    }
}
