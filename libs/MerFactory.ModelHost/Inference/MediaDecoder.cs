using MerFactory.Media;

namespace MerFactory.ModelHost.Inference;

/// <summary>
/// ffmpeg conversions the host needs: any audio to 16 kHz mono samples (Whisper) and a video to at most
/// <see cref="MaxVideoFrames"/> JPEG frames at 1 fps plus its 16 kHz mono WAV audio (MER-Factory's Gemma video path, spec §6.5).
/// </summary>
public static class MediaDecoder
{
    public const int MaxVideoFrames = 15;

    public static async Task<float[]> DecodeAudio16kAsync(byte[] audio, CancellationToken cancellationToken)
    {
        var raw = await RunAsync(audio, ["-i", "pipe:0", "-vn", "-ac", "1", "-ar", "16000", "-f", "f32le", "pipe:1"], cancellationToken).ConfigureAwait(false);
        var samples = new float[raw.Length / 4];
        Buffer.BlockCopy(raw, 0, samples, 0, samples.Length * 4);
        return samples;
    }

    /// <summary>Frames (evenly sub-sampled to ≤15) and the audio track (null when the video has none).</summary>
    public static async Task<(IReadOnlyList<byte[]> Frames, byte[]? Audio)> ExpandVideoAsync(byte[] video, CancellationToken cancellationToken)
    {
        var folder = Directory.CreateTempSubdirectory("merfactory-video-");
        try
        {
            var input = Path.Combine(folder.FullName, "input");
            await File.WriteAllBytesAsync(input, video, cancellationToken).ConfigureAwait(false);
            await RunAsync(null, ["-i", input, "-vf", "fps=1", "-q:v", "3", Path.Combine(folder.FullName, "frame-%04d.jpg")], cancellationToken).ConfigureAwait(false);
            var frames = Directory.GetFiles(folder.FullName, "frame-*.jpg").Order(StringComparer.Ordinal).ToList();
            if (frames.Count == 0) throw new InvalidDataException("the video has no decodable frames");
            var picked = frames.Count <= MaxVideoFrames ? frames
                : Enumerable.Range(0, MaxVideoFrames).Select(i => frames[(int)Math.Round(i * (frames.Count - 1) / (double)(MaxVideoFrames - 1))]).ToList();
            var frameBytes = new List<byte[]>();
            foreach (var frame in picked) frameBytes.Add(await File.ReadAllBytesAsync(frame, cancellationToken).ConfigureAwait(false));

            byte[]? audio = null;
            var wav = Path.Combine(folder.FullName, "audio.wav");
            try
            {
                await RunAsync(null, ["-i", input, "-vn", "-ac", "1", "-ar", "16000", "-c:a", "pcm_s16le", wav], cancellationToken).ConfigureAwait(false);
                if (File.Exists(wav) && new FileInfo(wav).Length > 44) audio = await File.ReadAllBytesAsync(wav, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidDataException)
            {
                // No audio stream: frames alone.
            }
            return (frameBytes, audio);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static async Task<byte[]> RunAsync(byte[]? stdin, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var result = await FfmpegRunner.RunAsync("ffmpeg", ["-loglevel", "error", "-y", .. arguments], Timeout.InfiniteTimeSpan, cancellationToken, stdin).ConfigureAwait(false);
        if (result.ExitCode != 0) throw new InvalidDataException($"ffmpeg could not decode the media: {result.StandardError.Trim()}");
        return result.StandardOutput;
    }
}
