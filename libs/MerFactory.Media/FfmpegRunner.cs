using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace MerFactory.Media;

/// <summary>What one ffmpeg run gave back: its exit code, standard output as bytes (PCM, text) and its diagnostics.</summary>
public sealed record FfmpegOutput(int ExitCode, byte[] StandardOutput, string StandardError)
{
    public string StandardOutputText => Encoding.UTF8.GetString(StandardOutput);
}

/// <summary>ffmpeg could not be started (not installed, or a wrong path configured).</summary>
public sealed class FfmpegStartException(string executable, Exception inner)
    : Exception($"ffmpeg could not be started ('{executable}'): {inner.Message}", inner);

/// <summary>ffmpeg ran past its time limit and was stopped.</summary>
public sealed class FfmpegTimeoutException(TimeSpan limit) : Exception($"ffmpeg did not finish within {limit}")
{
    public TimeSpan Limit { get; } = limit;
}

/// <summary>
/// The one ffmpeg process driver, for the work FFMpegCore's typed API does not cover (PCM to a pipe, input from memory,
/// filter diagnostics read from stderr). An argument list (no shell), <c>-nostdin</c> unless input is piped, a time
/// limit that kills the process tree, and bounded capture of both streams, read concurrently so ffmpeg never blocks
/// on a full pipe.
/// </summary>
public static class FfmpegRunner
{
    public static async Task<FfmpegOutput> RunAsync(string executable, IReadOnlyList<string> arguments, TimeSpan timeout, CancellationToken cancellationToken,
        byte[]? standardInput = null, int maxOutputBytes = int.MaxValue, int maxErrorChars = 1 << 20)
    {
        var startInfo = new ProcessStartInfo(executable)
        {
            UseShellExecute = false,
            RedirectStandardInput = standardInput is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
            StandardErrorEncoding = Encoding.UTF8,
        };
        // -nostdin: ffmpeg otherwise reads the console for interactive keys.
        startInfo.ArgumentList.Add("-hide_banner");
        if (standardInput is null) startInfo.ArgumentList.Add("-nostdin");
        foreach (var argument in arguments) startInfo.ArgumentList.Add(argument);

        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception error)
        {
            throw new FfmpegStartException(executable, error);
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        var output = ReadBytesAsync(process.StandardOutput.BaseStream, maxOutputBytes);
        var errors = ReadTextAsync(process.StandardError, maxErrorChars);
        try
        {
            if (standardInput is not null) await WriteInputAsync(process, standardInput, limit.Token).ConfigureAwait(false);
            await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
            return new FfmpegOutput(process.ExitCode, await output.ConfigureAwait(false), await errors.ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            try
            {
                await Task.WhenAll(output, errors).ConfigureAwait(false);
            }
            catch (IOException)
            {
                // The pipes broke with the kill; nothing more to read.
            }
            cancellationToken.ThrowIfCancellationRequested();
            throw new FfmpegTimeoutException(timeout);
        }
    }

    private static async Task WriteInputAsync(Process process, byte[] input, CancellationToken cancellationToken)
    {
        try
        {
            await process.StandardInput.BaseStream.WriteAsync(input, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // ffmpeg stopped reading (bad input); its exit code and stderr say why.
        }
        process.StandardInput.Close();
    }

    private static async Task<byte[]> ReadBytesAsync(Stream stream, int max)
    {
        using var kept = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            // Keep reading past the limit so ffmpeg never blocks on a full pipe.
            var room = max - (int)Math.Min(kept.Length, max);
            if (room > 0) kept.Write(buffer, 0, Math.Min(room, read));
        }
        return kept.ToArray();
    }

    private static async Task<string> ReadTextAsync(StreamReader reader, int max)
    {
        var kept = new StringBuilder();
        var buffer = new char[8192];
        int read;
        while ((read = await reader.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            var room = max - kept.Length;
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
            // It exited between the time limit and the kill.
        }
    }
}
