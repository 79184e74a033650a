using MerFactory.Speech.Audio;
using MerFactory.Speech.Engines;
using MerFactory.Speech.Prosody;
using MerFactory.Speech.Text;
using MerFactory.Speech.Vad;
using MerFactory.Testing;
using Microsoft.Extensions.Options;

namespace MerFactory.Speech.Tests;

public sealed class TranscriptionServiceTests : IDisposable
{
    private const string JfkTranscript = "And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.";
    private readonly TestAudio _audio = new();
    private readonly TranscriptionEngineSelector _engines;
    private readonly SileroVad _vad = new(SharedData.DataPath("models", "silero_vad.onnx"));
    private readonly TranscriptionService _service;

    public TranscriptionServiceTests()
    {
        // An empty model folder: no Whisper model installed, so Auto falls back to the offline English engine.
        var models = Directory.CreateDirectory(_audio.PathOf("models")).FullName;
        _engines = new TranscriptionEngineSelector(Options.Create(new WhisperOptions { ModelDirectory = models }), Options.Create(new PocketSphinxOptions()));
        _service = new TranscriptionService(new AudioDecoder(), _engines, new ProsodyAnalyzer(), _vad);
    }

    [Fact]
    public async Task JfkGivesACompleteArtifactThatRoundTripsThroughJson()
    {
        var artifact = await _service.TranscribeAsync(SharedData.DataPath("speech", "jfk.wav"), new TranscriptionOptions());

        Assert.Equal(TranscriptStatus.Transcribed, artifact.Status);
        Assert.Equal("pocketsphinx", artifact.Engine);
        Assert.Equal("en", artifact.Language);
        Assert.InRange(artifact.DurationSeconds, 10.9, 11.1);
        Assert.True(WordErrorRate.Compute(JfkTranscript, artifact.Text).Rate < 0.35, artifact.Text);
        Assert.NotEmpty(artifact.VoiceActivity);
        double previousEnd = 0;
        foreach (var segment in artifact.Segments)
        {
            Assert.True(segment.Start >= previousEnd - 0.25 && segment.End > segment.Start && segment.End <= artifact.DurationSeconds, $"segment {segment.Start}-{segment.End}");
            Assert.InRange(segment.Confidence!.Value, 0, 1);
            Assert.All(segment.Words, w => Assert.True(w.Start >= segment.Start && w.End <= segment.End + 0.01, $"word {w}"));
            previousEnd = segment.End;
        }
        Assert.NotNull(artifact.Prosody.Pitch.MeanHz);
        Assert.NotNull(artifact.Prosody.WordsPerSecond);

        var json = artifact.ToJson();
        Assert.Contains("\"segments\"", json, StringComparison.Ordinal);
        Assert.Contains("\"status\": \"Transcribed\"", json, StringComparison.Ordinal);
        var back = TranscriptArtifact.FromJson(json);
        Assert.Equal(artifact.Text, back.Text);
        Assert.Equal(artifact.Segments.Count, back.Segments.Count);
        Assert.Equal(artifact.Prosody.Summary, back.Prosody.Summary);
        Assert.Equal(artifact.VoiceActivity, back.VoiceActivity);
    }

    [Fact]
    public async Task SilentAudioIsNoSpeechNotAnError()
    {
        var path = _audio.Ffmpeg("silence.wav", "-f", "lavfi", "-i", "anullsrc=r=44100:cl=stereo:d=3");
        var artifact = await _service.TranscribeAsync(path, new TranscriptionOptions());
        Assert.Equal(TranscriptStatus.NoSpeech, artifact.Status);
        Assert.Empty(artifact.Text);
        Assert.Empty(artifact.Segments);
        Assert.Equal("No speech detected.", artifact.Prosody.Summary);
    }

    [Fact]
    public async Task PureNoiseIsNoSpeech()
    {
        var path = _audio.Ffmpeg("noise.flac", "-f", "lavfi", "-i", "anoisesrc=d=3:c=pink:r=48000:a=0.5");
        var artifact = await _service.TranscribeAsync(path, new TranscriptionOptions());
        Assert.Equal(TranscriptStatus.NoSpeech, artifact.Status);
        Assert.Empty(artifact.Segments);
    }

    [Fact]
    public async Task CorruptAndEmptyFilesRaiseDecodeErrorsNamingTheFile()
    {
        var empty = _audio.PathOf("empty.mp3");
        await File.WriteAllBytesAsync(empty, []);
        var corrupt = _audio.PathOf("corrupt.wav");
        await File.WriteAllBytesAsync(corrupt, Enumerable.Range(0, 4000).Select(i => (byte)(i * 131 % 251)).ToArray());

        var emptyError = await Assert.ThrowsAsync<AudioDecodeException>(() => _service.TranscribeAsync(empty, new TranscriptionOptions()));
        var corruptError = await Assert.ThrowsAsync<AudioDecodeException>(() => _service.TranscribeAsync(corrupt, new TranscriptionOptions()));

        Assert.Contains(empty, emptyError.Message, StringComparison.Ordinal);
        Assert.Contains(corrupt, corruptError.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutWhisperModelNonEnglishAsksToInstallAModel()
    {
        var error = Assert.Throws<SpeechModelException>(() => _engines.Select(EngineChoice.Auto, "de"));
        Assert.Contains("merfactory models install whisper-base", error.Message, StringComparison.Ordinal);
        var whisperError = Assert.Throws<SpeechModelException>(() => _engines.Select(EngineChoice.Whisper, null));
        Assert.Contains("No Whisper model is installed", whisperError.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AutoPrefersWhisperWhenAModelIsInstalled()
    {
        var models = Directory.CreateDirectory(_audio.PathOf("installed")).FullName;
        TinyWhisperModel.Write(Path.Combine(models, "ggml-base.bin"));
        using var engines = new TranscriptionEngineSelector(Options.Create(new WhisperOptions { ModelDirectory = models }), Options.Create(new PocketSphinxOptions()));

        Assert.Equal("whisper", engines.Select(EngineChoice.Auto, "de").Name);
        Assert.Equal("pocketsphinx", engines.Select(EngineChoice.PocketSphinx, "en").Name);
    }

    [Fact]
    public void MissingOfflineModelIsAClearError()
    {
        using var engines = new TranscriptionEngineSelector(
            Options.Create(new WhisperOptions { ModelDirectory = _audio.PathOf("none") }),
            Options.Create(new PocketSphinxOptions { ModelDirectory = _audio.PathOf("no-sphinx") }));
        var error = Assert.Throws<SpeechModelException>(() => engines.Select(EngineChoice.Auto, null));
        Assert.Contains("merfactory models install whisper-base", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ChunksMergeCloseSegmentsAndRespectTheWindow()
    {
        SpeechSegment[] speech = [new(1, 3), new(3.5, 6), new(9, 12), new(12.2, 45)];
        var chunks = TranscriptionService.Chunk(speech, new TranscriptionOptions { ChunkPaddingSeconds = 0 }, 50);
        Assert.Equal([new SpeechSegment(1, 6), new SpeechSegment(9, 12), new SpeechSegment(12.2, 45)], chunks);
    }

    public void Dispose()
    {
        _engines.Dispose();
        _vad.Dispose();
        _audio.Dispose();
    }
}
