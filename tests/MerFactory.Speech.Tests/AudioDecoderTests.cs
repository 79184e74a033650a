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

    [Fact]
    public async Task SixteenKilohertzPcmWavIsReadDirectlyWithFfmpegsSamples()
    {
        var path = _audio.Tone("s16-16k.wav", 440, 1.5, 0.5, 16000, "-c:a", "pcm_s16le");
        var viaFfmpeg = _audio.Ffmpeg("s16-16k.f32", "-i", path, "-f", "f32le", "-c:a", "pcm_f32le");
        var expected = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(await File.ReadAllBytesAsync(viaFfmpeg)).ToArray();

        // No ffmpeg at all: the file can only have been read directly.
        var direct = await new AudioDecoder(Microsoft.Extensions.Options.Options.Create(new AudioDecoderOptions { FfmpegPath = _audio.PathOf("no-ffmpeg") })).DecodeAsync(path);

        Assert.Equal(24000, expected.Length);
        Assert.Equal(expected, direct.Samples);
    }

    [Fact]
    public async Task DirectReadSkipsOtherChunksAndTakesWhatAStreamedWavHolds()
    {
        short[] pcm = [0, 16384, -32768, 32767, -1];
        var data = pcm.SelectMany(BitConverter.GetBytes).ToArray();
        byte[] Chunk(string id, byte[] body) => [.. System.Text.Encoding.ASCII.GetBytes(id), .. BitConverter.GetBytes((uint)body.Length), .. body, .. body.Length % 2 == 1 ? new byte[1] : []];
        byte[] format = [.. BitConverter.GetBytes((ushort)1), .. BitConverter.GetBytes((ushort)1), .. BitConverter.GetBytes(16000u), .. BitConverter.GetBytes(32000u), .. BitConverter.GetBytes((ushort)2), .. BitConverter.GetBytes((ushort)16)];
        byte[] streamedData = [.. "data"u8.ToArray(), .. BitConverter.GetBytes(uint.MaxValue), .. data];
        byte[] body = [.. "WAVE"u8.ToArray(), .. Chunk("LIST", "odd"u8.ToArray()), .. Chunk("fmt ", format), .. streamedData];
        byte[] file = [.. "RIFF"u8.ToArray(), .. BitConverter.GetBytes(uint.MaxValue), .. body, .. new byte[30]];

        Assert.True(PcmWaveReader.TryParse(file, out var samples));
        Assert.Equal([0f, 0.5f, -1f, 32767 / 32768f, -1 / 32768f], samples[..5]);
        Assert.Equal(5 + 15, samples.Length); // the trailing 30 bytes are read as samples, as ffmpeg does
    }

    [Theory]
    [InlineData(44100, 1, 16)]
    [InlineData(16000, 2, 16)]
    [InlineData(16000, 1, 8)]
    public void OtherWavFormatsAreLeftToFfmpeg(int sampleRate, int channels, int bits)
    {
        byte[] format = [.. BitConverter.GetBytes((ushort)1), .. BitConverter.GetBytes((ushort)channels), .. BitConverter.GetBytes((uint)sampleRate),
            .. BitConverter.GetBytes((uint)(sampleRate * channels * bits / 8)), .. BitConverter.GetBytes((ushort)(channels * bits / 8)), .. BitConverter.GetBytes((ushort)bits)];
        byte[] file = [.. "RIFF"u8.ToArray(), .. BitConverter.GetBytes(100u), .. "WAVEfmt "u8.ToArray(), .. BitConverter.GetBytes(16u), .. format, .. "data"u8.ToArray(), .. BitConverter.GetBytes(8u), .. new byte[8]];
        Assert.False(PcmWaveReader.TryParse(file, out _));
    }

    public void Dispose() => _audio.Dispose();
}
