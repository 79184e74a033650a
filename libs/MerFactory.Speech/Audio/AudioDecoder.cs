using System.Runtime.InteropServices;
using MerFactory.Media;
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

        FfmpegOutput result;
        try
        {
            result = await FfmpegRunner.RunAsync(_options.FfmpegPath,
                [
                    "-loglevel", "error", "-i", info.FullName,
                    "-map", "0:a:0", "-vn", "-ac", "1", "-ar", DecodedAudio.SampleRate.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    "-f", "f32le", "-acodec", "pcm_f32le", "pipe:1",
                ], _options.Timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (FfmpegStartException ex)
        {
            throw new AudioDecodeException(path, $"ffmpeg could not be started ('{_options.FfmpegPath}'): {ex.InnerException?.Message}; install ffmpeg or set FfmpegPath", ex);
        }
        catch (FfmpegTimeoutException)
        {
            throw new AudioDecodeException(path, $"ffmpeg did not finish within {_options.Timeout}");
        }

        var stderr = result.StandardError.Trim();
        if (result.ExitCode != 0) throw new AudioDecodeException(path, DescribeFfmpegFailure(stderr, result.ExitCode));
        var samples = MemoryMarshal.Cast<byte, float>(result.StandardOutput.AsSpan(0, result.StandardOutput.Length / sizeof(float) * sizeof(float))).ToArray();
        if (samples.Length == 0)
            throw new AudioDecodeException(path, "the file holds no audio samples" + (stderr.Length > 0 ? $" ({FirstLine(stderr)})" : string.Empty));
        return new DecodedAudio(path, samples);
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
