using System.Diagnostics;

namespace MerFactory.Speech.Engines;

/// <summary>
/// Runs Debian's <c>pocketsphinx_continuous</c> CLI on one file: the reference the in-process engine is compared
/// with (accuracy and speed) in tests and the benchmark.
/// </summary>
public static class PocketSphinxCli
{
    public static async Task<string> TranscribeAsync(string wavPath, PocketSphinxOptions model, CancellationToken cancellationToken = default)
    {
        var startInfo = new ProcessStartInfo("pocketsphinx_continuous") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[]
                 {
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
        if (process.ExitCode != 0) throw new InvalidOperationException($"pocketsphinx_continuous failed on '{wavPath}' ({process.ExitCode}): {await stderr.ConfigureAwait(false)}");
        // One line per utterance the CLI's own endpointer found.
        return string.Join(' ', stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }
}
