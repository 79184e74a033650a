using MerFactory.Speech.Audio;
using MerFactory.Speech.Vad;
using MerFactory.Testing;

namespace MerFactory.Speech.Tests;

public sealed class VoiceActivityTests : IDisposable
{
    private const string Sentence = "The quick brown fox jumps over the lazy dog near the quiet river bank";
    private readonly TestAudio _audio = new();
    private readonly AudioDecoder _decoder = new();
    private readonly SileroVad _vad = new(SharedData.DataPath("models", "silero_vad.onnx"));

    [Fact]
    public async Task SilenceSpeechSilenceGivesOneSegmentWithAccurateEdges()
    {
        var speech = _audio.Speak("speech.wav", Sentence);
        var padded = _audio.PathOf("padded.wav");
        TestAudio.Run("sox", [speech, padded, "pad", "2", "2.5"]);

        // Truth from the clean synthetic speech itself: first and last sample above -40 dBFS, shifted by the 2 s pad.
        var clean = (await _decoder.DecodeAsync(speech)).Samples;
        var firstSound = Array.FindIndex(clean, s => Math.Abs(s) > 0.01f) / 16000.0;
        var lastSound = Array.FindLastIndex(clean, s => Math.Abs(s) > 0.01f) / 16000.0;

        var result = _vad.Detect((await _decoder.DecodeAsync(padded)).Samples);

        var segment = Assert.Single(result.Segments);
        Assert.InRange(segment.Start, 2 + firstSound - 0.3, 2 + firstSound + 0.3);
        Assert.InRange(segment.End, 2 + lastSound - 0.3, 2 + lastSound + 0.3);
    }

    [Fact]
    public async Task TwoPhrasesWithAGapGiveTwoSegments()
    {
        var first = _audio.Speak("a.wav", "Hello there my friend");
        var second = _audio.Speak("b.wav", "How are you doing today");
        var joined = _audio.PathOf("joined.wav");
        TestAudio.Run("sox", [first, _audio.Ffmpeg("gap.wav", "-f", "lavfi", "-i", "anullsrc=r=22050:cl=mono:d=1.5"), second, joined]);

        var result = _vad.Detect((await _decoder.DecodeAsync(joined)).Samples);

        Assert.Equal(2, result.Segments.Count);
        Assert.InRange(result.Segments[1].Start - result.Segments[0].End, 1.0, 2.2);
    }

    [Fact]
    public async Task SilenceAndNoiseHaveNoSpeech()
    {
        var silence = await _decoder.DecodeAsync(_audio.Ffmpeg("silence.wav", "-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono:d=3"));
        var noise = await _decoder.DecodeAsync(_audio.Ffmpeg("noise.wav", "-f", "lavfi", "-i", "anoisesrc=d=3:c=white:r=16000:a=0.3"));

        Assert.False(_vad.Detect(silence.Samples).HasSpeech);
        Assert.False(_vad.Detect(noise.Samples).HasSpeech);
    }

    [Fact]
    public void LongSpeechIsCutAtTheMaximumLength()
    {
        // 40 s of windows all above threshold with one dip at 20 s: the cut goes to the dip, not the hard limit.
        var windowSeconds = 512 / 16000.0;
        var probabilities = Enumerable.Range(0, (int)(40 / windowSeconds)).Select(w => Math.Abs(w * windowSeconds - 20) < 0.05 ? 0.1f : 0.9f).ToArray();
        var segments = SileroVad.Segment(probabilities, 40 * 16000, new SileroVadOptions { MaxSpeechSeconds = 25, SpeechPadSeconds = 0 });

        Assert.Equal(2, segments.Count);
        Assert.InRange(segments[0].End, 19.9, 20.1);
        Assert.All(segments, s => Assert.True(s.Duration <= 25.01, $"segment {s} longer than the maximum"));
        Assert.Equal(40, segments[^1].End, 2);
    }

    [Fact]
    public void MissingModelIsAClearError()
    {
        var error = Assert.Throws<FileNotFoundException>(() => new SileroVad(_audio.PathOf("none.onnx")));
        Assert.Contains("models install", error.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _vad.Dispose();
        _audio.Dispose();
    }
}
