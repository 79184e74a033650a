using System.Diagnostics;

namespace MerFactory.Media.Tests;

public sealed class FfmpegMediaExtractorTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("merfactory-media-").FullName;

    [Fact]
    public async Task AFileIsProbedOnceForAllItsStepsAndAgainWhenItChanges()
    {
        var media = new FfmpegMediaExtractor();
        var clip = Path.Combine(_folder, "tone.wav");
        Tone(clip, seconds: 1);

        var first = await media.ProbeAsync(clip);
        var audio = await media.ExtractAudioAsync(clip, Path.Combine(_folder, "out.wav"));
        Assert.True(audio.HasAudio);
        Assert.Equal(1, media.ProbesRun);
        Assert.InRange(first.DurationSeconds, 0.99, 1.01);

        Tone(clip, seconds: 2); // same path, new content
        var second = await media.ProbeAsync(clip);
        Assert.Equal(2, media.ProbesRun);
        Assert.InRange(second.DurationSeconds, 1.99, 2.01);
    }

    [Fact]
    public async Task AFailedProbeIsNotRemembered()
    {
        var media = new FfmpegMediaExtractor();
        var clip = Path.Combine(_folder, "broken.mp4");
        await File.WriteAllTextAsync(clip, "not media");
        await Assert.ThrowsAsync<MediaInputException>(() => media.ProbeAsync(clip));
        await Assert.ThrowsAsync<MediaInputException>(() => media.ProbeAsync(clip));
        Assert.Equal(2, media.ProbesRun);
    }

    [Fact]
    public async Task ASpeechWavAlreadyAt16kMonoIsCopiedAndOthersAreConverted()
    {
        var media = new FfmpegMediaExtractor();
        var ready = Path.Combine(_folder, "ready.wav");
        Tone(ready, seconds: 1);
        var copied = await media.ExtractAudioAsync(ready, Path.Combine(_folder, "ready-out.wav"));
        Assert.Equal(await File.ReadAllBytesAsync(ready), await File.ReadAllBytesAsync(copied.WavPath!));

        var stereo = Path.Combine(_folder, "stereo-44k.wav");
        Tone(stereo, seconds: 1, "-ar", "44100", "-ac", "2");
        var converted = await media.ExtractAudioAsync(stereo, Path.Combine(_folder, "stereo-out.wav"));
        var probe = await media.ProbeAsync(converted.WavPath!);
        Assert.Equal([new MerFactory.Contracts.Media.MediaStreamInfo("audio", "pcm_s16le", 0, 0, 0, 16000, 1, 0)], probe.Streams);
    }

    private static void Tone(string path, double seconds, params string[] format)
    {
        string[] encoding = format.Length > 0 ? format : ["-ar", "16000"];
        using var ffmpeg = Process.Start(new ProcessStartInfo("ffmpeg",
            ["-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i", $"sine=frequency=440:duration={seconds}", .. encoding, path]))!;
        ffmpeg.WaitForExit();
        Assert.Equal(0, ffmpeg.ExitCode);
        // A rewrite within the file system's timestamp resolution must still differ in size or time.
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddSeconds(seconds));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
