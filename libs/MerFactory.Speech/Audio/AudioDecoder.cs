using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Options;

namespace MerFactory.Speech.Audio;

/// <summary>Settings for <see cref="AudioDecoder"/>.</summary>
public sealed class AudioDecoderOptions
{
    /// <summary>The ffmpeg executable (a name on PATH or an absolute path).</summary>
    public string FfmpegPath { get; set; } = "ffmpeg";

    /// <summary>Upper bound for one decode; protects the pipeline from a hung child process.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(10);
}

/// <summary>16 kHz mono float PCM decoded from one input file.</summary>
public sealed record DecodedAudio(string SourcePath, float[] Samples)
{
    public const int SampleRate = 16_000;

    public double DurationSeconds => Samples.Length / (double)SampleRate;
}

/// <summary>The input could not be decoded; the message names the file and the cause.</summary>
public sealed class AudioDecodeException(string path, string cause, Exception? inner = null)
    : Exception($"Cannot decode audio '{path}': {cause}", inner)
{
    public string AudioPath { get; } = path;
    public string Cause { get; } = cause;
}

/// <summary>
/// Decodes any container/codec ffmpeg understands (wav of any bit depth, mp3, flac, m4a, video files…)
/// to 16 kHz mono float by piping ffmpeg's f32le output, so no temporary files are written. WAVs already in that
/// format (16-bit PCM) are read directly.
/// </summary>
public sealed class AudioDecoder(IOptions<AudioDecoderOptions> options)
{
    private readonly AudioDecoderOptions _options = options.Value;

    public AudioDecoder() : this(Options.Create(new AudioDecoderOptions())) { }

    public async Task<DecodedAudio> DecodeAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var info = new FileInfo(path);
        if (!info.Exists) throw new AudioDecodeException(path, "the file does not exist");
        if (info.Length == 0) throw new AudioDecodeException(path, "the file is empty (0 bytes)");
        // The media step's audio tracks are already 16 kHz mono PCM: read them directly rather than start ffmpeg.
        if (PcmWaveReader.TryRead(info.FullName, out var pcmSamples)) return new DecodedAudio(path, pcmSamples);

        var startInfo = new ProcessStartInfo(_options.FfmpegPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     "-nostdin", "-hide_banner", "-loglevel", "error", "-i", info.FullName,
                     "-map", "0:a:0", "-vn", "-ac", "1", "-ar", DecodedAudio.SampleRate.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "-f", "f32le", "-acodec", "pcm_f32le", "pipe:1",
                 })
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            throw new AudioDecodeException(path, $"ffmpeg could not be started ('{_options.FfmpegPath}'): {ex.Message}; install ffmpeg or set FfmpegPath", ex);
        }

        try
        {
            var stderrTask = process.StandardError.ReadToEndAsync(timeout.Token);
            using var pcm = new MemoryStream(capacity: (int)Math.Min(int.MaxValue, Math.Max(info.Length * 4, 1 << 16)));
            await process.StandardOutput.BaseStream.CopyToAsync(pcm, timeout.Token).ConfigureAwait(false);
            var stderr = (await stderrTask.ConfigureAwait(false)).Trim();
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);

            if (process.ExitCode != 0)
            {
                throw new AudioDecodeException(path, DescribeFfmpegFailure(stderr, process.ExitCode));
            }

            var samples = new float[pcm.Length / sizeof(float)];
            pcm.GetBuffer().AsSpan(0, samples.Length * sizeof(float)).CopyTo(MemoryMarshal.AsBytes(samples.AsSpan()));
            if (samples.Length == 0)
            {
                throw new AudioDecodeException(path, "the file holds no audio samples" + (stderr.Length > 0 ? $" ({FirstLine(stderr)})" : string.Empty));
            }
            return new DecodedAudio(path, samples);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AudioDecodeException(path, $"ffmpeg did not finish within {_options.Timeout}");
        }
        finally
        {
            if (!process.HasExited)
            {
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { /* already gone */ }
            }
        }
    }

    private static string DescribeFfmpegFailure(string stderr, int exitCode)
    {
        if (stderr.Contains("matches no streams", StringComparison.Ordinal) ||
            stderr.Contains("does not contain any stream", StringComparison.Ordinal))
        {
            return "the file has no audio stream";
        }
        return stderr.Length == 0
            ? $"ffmpeg failed with exit code {exitCode}"
            : $"ffmpeg reports: {FirstLine(stderr)}";
    }

    private static string FirstLine(string text)
    {
        // ffmpeg prefixes its messages with the file name; the last line usually holds the real cause.
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? text : string.Join("; ", lines.Distinct().Take(3));
    }
}
