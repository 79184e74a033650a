using MerFactory.Speech.Audio;
using MerFactory.Speech.Engines;
using MerFactory.Speech.Prosody;
using MerFactory.Speech.Vad;
using MerFactory.Testing;
using Microsoft.Extensions.Options;

namespace MerFactory.Speech.Tests;

public sealed class WhisperEngineTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private readonly TestAudio _audio = new();

    [Fact]
    public void MissingModelIsAClearError()
    {
        var error = Assert.Throws<SpeechModelException>(() => new WhisperEngine(_audio.PathOf("ggml-base.bin")));
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
        Assert.Contains("merfactory models install", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FileWithoutGgmlMagicIsRejected()
    {
        var path = _audio.PathOf("ggml-base.bin");
        File.WriteAllText(path, "<html>404 not found: this is what a failed download looks like</html>");
        var error = Assert.Throws<SpeechModelException>(() => new WhisperEngine(path));
        Assert.Contains("not a ggml Whisper model", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GarbageAfterAValidMagicIsRejectedBeforeTheNativeLoaderSeesIt()
    {
        // whisper.cpp aborts the process (GGML_ASSERT) on such a file, so it must never reach the native loader.
        var path = _audio.PathOf("ggml-base.bin");
        File.WriteAllBytes(path, [.. BitConverter.GetBytes(0x67676d6cu), .. Enumerable.Range(0, 1000).Select(i => (byte)(i * 7))]);
        var error = Assert.Throws<SpeechModelException>(() => new WhisperEngine(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("hyper-parameters", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TruncatedModelIsRejected()
    {
        var path = _audio.PathOf("ggml-tiny.bin");
        TinyWhisperModel.Write(path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 100)]);
        var error = Assert.Throws<SpeechModelException>(() => new WhisperEngine(path));
        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GeneratedModelPassesValidation()
    {
        var path = _audio.PathOf("ggml-tiny.bin");
        TinyWhisperModel.Write(path);
        var info = WhisperModelFile.Validate(path);
        Assert.True(info.IsMultilingual);
        Assert.Equal(TinyWhisperModel.State, info.State);
        Assert.Equal(11 + 15 + 24, info.TensorCount); // globals + one encoder block + one decoder block
    }

    [Fact]
    public async Task RandomWeightModelRunsTheWholeWhisperPath()
    {
        var models = Directory.CreateDirectory(_audio.PathOf("models")).FullName;
        TinyWhisperModel.Write(Path.Combine(models, "ggml-tiny.bin"));
        using var engines = new TranscriptionEngineSelector(Options.Create(new WhisperOptions { ModelDirectory = models }), Options.Create(new PocketSphinxOptions()));
        using var vad = new SileroVad(SharedData.DataPath("models", "silero_vad.onnx"));
        var service = new TranscriptionService(new AudioDecoder(), engines, new ProsodyAnalyzer(), vad);

        Assert.Equal("whisper", engines.Select(EngineChoice.Auto, "de").Name);
        var artifact = await service.TranscribeAsync(SharedData.DataPath("speech", "jfk.wav"), new TranscriptionOptions { BeamSize = 1, Threads = 1 });

        output.WriteLine($"language {artifact.Language}, status {artifact.Status}, {artifact.Segments.Count} segments, RTF {artifact.RealTimeFactor}; first: {artifact.Segments.FirstOrDefault()}");
        Assert.Equal("whisper", artifact.Engine);
        Assert.StartsWith("ggml-tiny", artifact.ModelId, StringComparison.Ordinal);
        Assert.Matches("^[a-z]{2,3}$", artifact.Language); // detected by the model, whatever it is
        Assert.NotEqual(TranscriptStatus.NoSpeech, artifact.Status);
        foreach (var segment in artifact.Segments)
        {
            Assert.True(segment.Start >= 0 && segment.End >= segment.Start && segment.End <= artifact.DurationSeconds, $"segment {segment.Start}-{segment.End}");
            Assert.InRange(segment.Confidence!.Value, 0, 1);
        }
        Assert.Equal(artifact.Text, TranscriptArtifact.FromJson(artifact.ToJson()).Text);

        var forced = await engines.Select(EngineChoice.Whisper, "fr").TranscribeAsync(new float[16000 * 2], new EngineRequest { Language = "fr", BeamSize = 2, Temperature = 0.2f, Threads = 1 }, CancellationToken.None);
        Assert.Equal("fr", forced.Language);
    }

    public void Dispose() => _audio.Dispose();
}
