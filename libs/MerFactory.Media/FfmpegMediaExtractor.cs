using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using FFMpegCore;
using FFMpegCore.Exceptions;
using MerFactory.Contracts.Media;

namespace MerFactory.Media;

/// <summary>
/// Media extraction on the ffmpeg/ffprobe executables (through FFMpegCore): probe, 16 kHz mono WAV,
/// frame sampling and single frames with MER-Factory's ±1/±2 frame fallbacks (spec §4.2).
/// </summary>
public sealed class FfmpegMediaExtractor
{
    public static readonly ActivitySource Activity = new("MerFactory.Media");

    // Every extraction needs the probe (streams, frame rate): a file is probed once, not once per step. Keyed by path,
    // size and modification time, so a file changed in place is probed again. Failures are not kept.
    private const int RememberedProbes = 4096;
    private readonly ConcurrentDictionary<(string Path, long Length, DateTime Modified), MediaProbed> _probes = new();
    private int _probesRun;

    /// <summary>ffprobe runs so far (for tests: a file probed again comes from memory).</summary>
    internal int ProbesRun => Volatile.Read(ref _probesRun);

    public async Task<MediaProbed> ProbeAsync(string path, CancellationToken cancellationToken = default)
    {
        var file = new FileInfo(path);
        var key = (file.FullName, file.Exists ? file.Length : -1, file.Exists ? file.LastWriteTimeUtc : default);
        if (file.Exists && _probes.TryGetValue(key, out var known)) return known;
        var probe = await ProbeFileAsync(path, cancellationToken).ConfigureAwait(false);
        if (_probes.Count >= RememberedProbes) _probes.Clear();
        _probes[key] = probe;
        return probe;
    }

    private async Task<MediaProbed> ProbeFileAsync(string path, CancellationToken cancellationToken)
    {
        EnsureReadableFile(path);
        // A JPEG still: its header says what ffprobe would, without two ffprobe processes (ffprobe -version, then the probe).
        if (JpegHeaderProbe.TryProbe(path) is { } still) return still;
        return await ProbeWithFfprobeAsync(path, cancellationToken).ConfigureAwait(false);
    }

    internal async Task<MediaProbed> ProbeWithFfprobeAsync(string path, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _probesRun);
        using var activity = Activity.StartActivity("ffprobe");
        activity?.SetTag("merfactory.media.file", Path.GetFileName(path));
        IMediaAnalysis analysis;
        try
        {
            analysis = await FFProbe.AnalyseAsync(path, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FFMpegException or FormatException or System.Text.Json.JsonException or InvalidOperationException)
        {
            throw new MediaInputException(path, "not a readable media file (" + LastLine(e) + ")", e);
        }

        var video = analysis.PrimaryVideoStream;
        var audio = analysis.PrimaryAudioStream;
        if (video is null && audio is null) throw new MediaInputException(path, "contains no video or audio stream");
        var streams = analysis.VideoStreams.Select(v => new MediaStreamInfo("video", v.CodecName ?? "", v.Width ?? 0, v.Height ?? 0, FrameRateOf(v), 0, 0, v.Rotation))
            .Concat(analysis.AudioStreams.Select(a => new MediaStreamInfo("audio", a.CodecName ?? "", 0, 0, 0, a.SampleRateHz ?? 0, a.Channels ?? 0, 0)))
            .Concat(analysis.SubtitleStreams.Select(s => new MediaStreamInfo("subtitle", s.CodecName ?? "", 0, 0, 0, 0, 0, 0)))
            .ToList();
        var duration = analysis.Duration.TotalSeconds;
        if (duration <= 0 && video is not null) duration = video.Duration.TotalSeconds;
        return new MediaProbed(duration, video is null ? 0 : FrameRateOf(video), video is not null, audio is not null,
            video?.Width ?? 0, video?.Height ?? 0, video?.Rotation ?? 0, analysis.Format.FormatName, streams);
    }

    /// <summary>
    /// 16 kHz mono PCM s16le WAV, as MER-Factory's <c>ffmpeg -i IN -map a -ac 1 -ar 16000</c>; a file with no
    /// audio track returns <see cref="AudioExtraction.HasAudio"/> = false.
    /// </summary>
    public async Task<AudioExtraction> ExtractAudioAsync(string path, string wavPath, CancellationToken cancellationToken = default)
    {
        var probe = await ProbeAsync(path, cancellationToken).ConfigureAwait(false);
        if (!probe.HasAudio) return new AudioExtraction(false, null, probe.DurationSeconds);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(wavPath))!);
        if (IsTargetWave(probe))
        {
            // Already what ffmpeg would write (a speech recording at 16 kHz mono): a copy has the same samples.
            File.Copy(path, wavPath, overwrite: true);
            return new AudioExtraction(true, wavPath, probe.DurationSeconds);
        }
        using var activity = Activity.StartActivity("ffmpeg extract-audio");
        await RunAsync(path, FFMpegArguments.FromFileInput(path)
            .OutputToFile(wavPath, overwrite: true, o => o
                .WithCustomArgument("-vn -sn -dn -map 0:a:0 -ac 1 -ar 16000 -c:a pcm_s16le")), cancellationToken).ConfigureAwait(false);
        if (!File.Exists(wavPath) || new FileInfo(wavPath).Length <= 44)
            throw new MediaInputException(path, "audio track decoded to no samples");
        return new AudioExtraction(true, wavPath, probe.DurationSeconds);
    }

    /// <summary>Frames as PNG files in <paramref name="outputDirectory"/>; <paramref name="fps"/> 0 keeps every frame.</summary>
    public async Task<IReadOnlyList<SampledFrame>> SampleFramesAsync(string path, string outputDirectory, double fps, CancellationToken cancellationToken = default)
    {
        var probe = await ProbeAsync(path, cancellationToken).ConfigureAwait(false);
        if (!probe.HasVideo) throw new MediaInputException(path, "has no video stream to sample frames from");
        using var activity = Activity.StartActivity("ffmpeg sample-frames");
        Directory.CreateDirectory(outputDirectory);
        var pattern = Path.Combine(outputDirectory, "frame_%06d.png");
        var filter = fps > 0 ? $"-vf fps={fps.ToString(CultureInfo.InvariantCulture)} " : "";
        await RunAsync(path, FFMpegArguments.FromFileInput(path)
            .OutputToFile(pattern, overwrite: true, o => o.WithCustomArgument($"-an -sn {filter}-fps_mode passthrough -start_number 0")), cancellationToken).ConfigureAwait(false);
        var step = fps > 0 ? 1 / fps : (probe.FrameRate > 0 ? 1 / probe.FrameRate : 0);
        if (fps > 0 && Directory.GetFiles(outputDirectory, "frame_*.png").Length == 0)
        {
            // A clip shorter than one sampling interval (e.g. 0.1 s at 1 fps) gets no frame from the fps filter: keep its first.
            await RunAsync(path, FFMpegArguments.FromFileInput(path)
                .OutputToFile(pattern, overwrite: true, o => o.WithCustomArgument("-an -sn -frames:v 1 -fps_mode passthrough -start_number 0")), cancellationToken).ConfigureAwait(false);
        }
        var frames = Directory.GetFiles(outputDirectory, "frame_*.png").Order(StringComparer.Ordinal)
            .Select((file, i) => new SampledFrame(i, Math.Round(i * step, 6), file)).ToList();
        if (frames.Count == 0) throw new MediaInputException(path, "no frames could be decoded");
        return frames;
    }

    /// <summary>
    /// One frame at <paramref name="timestampSeconds"/> as PNG; when ffmpeg gives nothing there (e.g. past the
    /// last frame) it tries one and two frames earlier and later, as MER-Factory does.
    /// </summary>
    public async Task<FrameExtraction> ExtractFrameAsync(string path, double timestampSeconds, string pngPath, CancellationToken cancellationToken = default)
    {
        var probe = await ProbeAsync(path, cancellationToken).ConfigureAwait(false);
        if (!probe.HasVideo) throw new MediaInputException(path, "has no video stream to extract a frame from");
        var frame = probe.FrameRate > 0 ? 1 / probe.FrameRate : 1.0 / 30;
        double[] offsets = [0, -frame, frame, -2 * frame, 2 * frame];
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(pngPath))!);
        var attempt = 0;
        foreach (var offset in offsets)
        {
            attempt++;
            var t = Math.Max(0, timestampSeconds + offset);
            File.Delete(pngPath);
            var result = await FFMpegArguments
                .FromFileInput(path, o => o.WithCustomArgument("-ss " + t.ToString("0.######", CultureInfo.InvariantCulture)))
                .OutputToFile(pngPath, overwrite: true, o => o.WithCustomArgument("-an -sn -frames:v 1 -update 1 -q:v 2"))
                .ProcessAsynchronously(throwOnError: false, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (result.Success && File.Exists(pngPath) && new FileInfo(pngPath).Length > 0)
                return new FrameExtraction(pngPath, timestampSeconds, t, attempt);
        }
        throw new MediaInputException(path, $"no frame could be extracted near {timestampSeconds.ToString("0.00", CultureInfo.InvariantCulture)}s (tried ±2 frames)");
    }

    private static bool IsTargetWave(MediaProbed probe) =>
        probe.FormatName == "wav" && probe.Streams is [{ Kind: "audio", Codec: "pcm_s16le", SampleRate: 16000, Channels: 1 }];

    private static async Task RunAsync(string inputPath, FFMpegArgumentProcessor processor, CancellationToken cancellationToken)
    {
        var result = await processor.ProcessAsynchronously(throwOnError: false, cancellationToken: cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        if (!result.Success)
            throw new MediaInputException(inputPath, $"ffmpeg failed with exit code {result.ExitCode}: {LastMeaningfulLine(result.StandardError)}");
    }

    private static void EnsureReadableFile(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new MediaInputException(path, "file not found");
        if (info.Length == 0) throw new MediaInputException(path, "file is empty (0 bytes)");
        try
        {
            using var _ = info.OpenRead();
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new MediaInputException(path, "file cannot be read: " + e.Message, e);
        }
    }

    private static double FrameRateOf(VideoStream v) =>
        v.AverageFrameRate > 0 && double.IsFinite(v.AverageFrameRate) ? v.AverageFrameRate : v.RealFrameRate;

    private static string LastLine(Exception e) => e is FFProbeProcessException p ? LastMeaningfulLine(p.StandardError) : e.Message;

    /// <summary>
    /// ffmpeg's last words are often only "Conversion failed!": a line naming a system error (a full disk, no
    /// permission) is the true cause and wins.
    /// </summary>
    private static string LastMeaningfulLine(IEnumerable<string>? lines)
    {
        var meaningful = lines?.Select(l => l.Trim()).Where(l => l.Length > 0).ToList() ?? [];
        return meaningful.LastOrDefault(l => SystemErrors.Any(e => l.Contains(e, StringComparison.OrdinalIgnoreCase)))
            ?? meaningful.LastOrDefault() ?? "no diagnostic output";
    }

    private static readonly string[] SystemErrors = ["No space left on device", "Permission denied", "File name too long", "Read-only file system", "Disk quota exceeded", "Input/output error"];
}
