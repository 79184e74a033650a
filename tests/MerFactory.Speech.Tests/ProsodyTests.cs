using MerFactory.Speech.Audio;
using MerFactory.Speech.Prosody;
using MerFactory.Speech.Vad;
using MerFactory.Testing;

namespace MerFactory.Speech.Tests;

public sealed class ProsodyTests : IDisposable
{
    private const string Sentence = "I really did not expect to see you here today";
    private readonly TestAudio _audio = new();
    private readonly AudioDecoder _decoder = new();
    private readonly ProsodyAnalyzer _analyzer = new();

    [Fact]
    public async Task ToneOf220HzHasF0Of220()
    {
        var tone = await _decoder.DecodeAsync(_audio.Tone("a3.wav", 220, 2));
        var pitch = _analyzer.Analyze(tone.Samples).Pitch;
        Assert.NotNull(pitch.MeanHz);
        Assert.InRange(pitch.MeanHz!.Value, 215, 225);
        Assert.InRange(pitch.RangeSemitones!.Value, 0, 0.5);
        Assert.True(pitch.VoicedFraction > 0.9, $"voiced fraction {pitch.VoicedFraction}");
    }

    [Fact]
    public async Task HigherEspeakPitchGivesHigherF0()
    {
        var low = await _decoder.DecodeAsync(_audio.Speak("low.wav", Sentence, pitch: 20));
        var high = await _decoder.DecodeAsync(_audio.Speak("high.wav", Sentence, pitch: 80));

        var lowPitch = _analyzer.Analyze(low.Samples).Pitch.MeanHz;
        var highPitch = _analyzer.Analyze(high.Samples).Pitch.MeanHz;

        Assert.NotNull(lowPitch);
        Assert.NotNull(highPitch);
        Assert.True(highPitch > lowPitch * 1.1, $"high {highPitch} Hz should exceed low {lowPitch} Hz");
    }

    [Fact]
    public async Task LouderCopyHasHigherLoudnessBySixDecibels()
    {
        var speech = _audio.Speak("speech.wav", Sentence);
        var quiet = await _decoder.DecodeAsync(speech);
        var loud = await _decoder.DecodeAsync(_audio.Ffmpeg("loud.wav", "-i", speech, "-af", "volume=6dB"));

        var quietLoudness = _analyzer.Analyze(quiet.Samples).Loudness;
        var loudLoudness = _analyzer.Analyze(loud.Samples).Loudness;

        Assert.InRange(loudLoudness.RmsDbfs - quietLoudness.RmsDbfs, 5.5, 6.5);
        Assert.InRange(loudLoudness.IntegratedLufs!.Value - quietLoudness.IntegratedLufs!.Value, 5.5, 6.5);
    }

    [Fact]
    public async Task IntegratedLoudnessMatchesBs1770ForA1kHzSine()
    {
        // BS.1770: a 997 Hz sine at 0 dBFS peak reads −3.01 LUFS, so amplitude 0.1 (−20 dB) reads −23.01.
        var tone = await _decoder.DecodeAsync(_audio.Tone("1k.wav", 997, 3, amplitude: 0.1));
        Assert.InRange(_analyzer.Analyze(tone.Samples).Loudness.IntegratedLufs!.Value, -23.5, -22.5);
    }

    [Fact]
    public void PausesAndSpeakingRateComeFromSpeechSegments()
    {
        var samples = new float[16000 * 6];
        SpeechSegment[] speech = [new(0.5, 2.0), new(2.1, 3.0), new(4.0, 5.5)];

        var features = _analyzer.Analyze(samples, speech, wordCount: 9);

        Assert.Equal(1, features.Pauses.Count); // the 0.1 s gap is below the pause minimum
        Assert.Equal(1.0, features.Pauses.LongestSeconds, 3);
        Assert.Equal(1.5 + 0.9 + 1.5, features.SpeechSeconds, 3);
        Assert.Equal(Math.Round(9 / 3.9, 2), features.WordsPerSecond);
    }

    [Fact]
    public async Task SummaryDescribesPitchLoudnessRateAndPauses()
    {
        var speech = await _decoder.DecodeAsync(_audio.Speak("s.wav", Sentence));
        using var vad = new SileroVad(SharedData.DataPath("models", "silero_vad.onnx"));
        var segments = vad.Detect(speech.Samples).Segments;

        var summary = _analyzer.Analyze(speech.Samples, segments, wordCount: 10).Summary;

        Assert.Contains("pitch averages", summary, StringComparison.Ordinal);
        Assert.Contains("LUFS", summary, StringComparison.Ordinal);
        Assert.Contains("words/s", summary, StringComparison.Ordinal);
        Assert.Equal("No speech detected.", _analyzer.Analyze(new float[16000], []).Summary);
    }

    public void Dispose() => _audio.Dispose();
}
