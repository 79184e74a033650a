using MerFactory.Speech.Engines;

namespace MerFactory.ModelHost.Inference;

/// <summary>A Whisper ggml model through Whisper.net (MerFactory.Speech's engine): transcription only.</summary>
public sealed class WhisperTranscriptionModel(string id, string path) : LocalModel(id, ModelModality.Transcription)
{
    private readonly WhisperEngine _engine = new(path);

    public override async Task<string> TranscribeAsync(float[] samples16k, string? language, CancellationToken cancellationToken)
    {
        var result = await _engine.TranscribeAsync(samples16k, new EngineRequest { Language = language }, cancellationToken).ConfigureAwait(false);
        return string.Join(" ", result.Segments.Select(s => s.Text));
    }

    public override void Dispose() => _engine.Dispose();
}
