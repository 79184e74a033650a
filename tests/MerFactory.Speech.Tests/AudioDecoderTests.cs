using MerFactory.Speech.Audio;

namespace MerFactory.Speech.Tests;

public sealed class AudioDecoderTests : IDisposable
{
    private readonly TestAudio _audio = new();
    private readonly AudioDecoder _decoder = new();

    public static TheoryData<string, int, string[]> Formats => new()
    {
        { "u8-44k.wav", 44100, ["-c:a", "pcm_u8"] },
        { "s16-48k-stereo.wav", 48000, ["-ac", "2", "-c:a", "pcm_s16le"] },
        { "s24-44k.flac", 44100, ["-c:a", "flac", "-sample_fmt", "s32"] },
        { "stereo-44k.mp3", 44100, ["-ac", "2", "-c:a", "libmp3lame", "-b:a", "128k"] },
        { "stereo-48k.m4a", 48000, ["-ac", "2", "-c:a", "aac", "-b:a", "128k"] },
        { "f32-48k.wav", 48000, ["-c:a", "pcm_f32le"] },
    };

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task ConvertsEveryFormatTo16kMonoWithSamePitchAndLevel(string name, int sampleRate, string[] encoding)
    {
        const double seconds = 2.0, hz = 440, amplitude = 0.5;
        var path = _audio.Tone(name, hz, seconds, amplitude, sampleRate, encoding);

        var decoded = await _decoder.DecodeAsync(path);

        // Lossy codecs add encoder delay/padding, hence the tolerance on length.
        Assert.InRange(decoded.DurationSeconds, seconds - 0.01, seconds + 0.1);
        var middle = decoded.Samples.AsSpan(4000, 16000);
        Assert.InRange(TestAudio.ZeroCrossingFrequency(middle, DecodedAudio.SampleRate), hz - 2, hz + 2);
        // A sine of amplitude A has RMS A/√2; the stereo downmix of two identical channels keeps it.
        Assert.InRange(TestAudio.Rms(middle), amplitude / Math.Sqrt(2) * 0.93, amplitude / Math.Sqrt(2) * 1.07);
    }

    [Fact]
    public async Task ExtractsTheAudioTrackOfAVideo()
    {
        var path = _audio.Ffmpeg("clip.mp4", "-f", "lavfi", "-i", "testsrc=duration=1:size=64x64:rate=10", "-f", "lavfi", "-i", "sine=frequency=300:duration=1", "-c:v", "libx264", "-c:a", "aac", "-shortest");
        var decoded = await _decoder.DecodeAsync(path);
        Assert.InRange(TestAudio.ZeroCrossingFrequency(decoded.Samples.AsSpan(2000, 10000), 16000), 297, 303);
    }

    [Fact]
    public async Task ZeroLengthFileIsAClearError()
    {
        var path = _audio.PathOf("empty.wav");
        await File.WriteAllBytesAsync(path, []);
        var error = await Assert.ThrowsAsync<AudioDecodeException>(() => _decoder.DecodeAsync(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CorruptWavIsAClearErrorNamingFileAndCause()
    {
        var path = _audio.PathOf("corrupt.wav");
        var bytes = "RIFF\u0024\0\0\0WAVEfmt \u0010\0\0\0garbage"u8.ToArray().Concat(Enumerable.Range(0, 3000).Select(i => (byte)(i * 37))).ToArray();
        await File.WriteAllBytesAsync(path, bytes);
        var error = await Assert.ThrowsAsync<AudioDecodeException>(() => _decoder.DecodeAsync(path));
        Assert.Equal(path, error.AudioPath);
        Assert.Contains("Invalid data", error.Cause, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VideoWithoutAudioIsAClearError()
    {
        var path = _audio.Ffmpeg("silent-video.mp4", "-f", "lavfi", "-i", "testsrc=duration=1:size=64x64:rate=10", "-c:v", "libx264");
        var error = await Assert.ThrowsAsync<AudioDecodeException>(() => _decoder.DecodeAsync(path));
        Assert.Contains("no audio stream", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingFileIsAClearError()
    {
        var path = _audio.PathOf("nope.wav");
        var error = await Assert.ThrowsAsync<AudioDecodeException>(() => _decoder.DecodeAsync(path));
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _audio.Dispose();
}
