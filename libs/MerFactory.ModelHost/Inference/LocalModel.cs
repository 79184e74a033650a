namespace MerFactory.ModelHost.Inference;

/// <summary>A loaded model. Chat models generate; Whisper models transcribe; each refuses what it cannot take.</summary>
public abstract class LocalModel : IDisposable
{
    protected LocalModel(string id, ModelModality modalities)
    {
        Id = id;
        Modalities = modalities;
    }

    public string Id { get; }
    public ModelModality Modalities { get; }

    /// <summary>Throws <see cref="ModalityNotSupportedException"/> when the prompt needs what this model lacks.</summary>
    public void EnsureSupports(IEnumerable<PromptMessage> messages)
    {
        if (!Modalities.HasFlag(ModelModality.Text)) throw new ModalityNotSupportedException(Id, ModelModality.Text, Modalities);
        foreach (var media in messages.SelectMany(m => m.Parts).OfType<MediaPart>())
        {
            if (!Modalities.HasFlag(media.Kind)) throw new ModalityNotSupportedException(Id, media.Kind, Modalities);
        }
    }

    /// <summary>Streams the answer's text pieces; fills <paramref name="usage"/>. Cancelling stops generation at the next token.</summary>
    public virtual IAsyncEnumerable<string> GenerateAsync(IReadOnlyList<PromptMessage> messages, GenerationSettings settings, GenerationUsage usage, CancellationToken cancellationToken) =>
        throw new ModalityNotSupportedException(Id, ModelModality.Text, Modalities);

    /// <summary>Transcribes 16 kHz mono samples.</summary>
    public virtual Task<string> TranscribeAsync(float[] samples16k, string? language, CancellationToken cancellationToken) =>
        throw new ModalityNotSupportedException(Id, ModelModality.Transcription, Modalities);

    public abstract void Dispose();
}

/// <summary>Loads a model from its definition (LLamaSharp for GGUF, Whisper.net for ggml).</summary>
public interface IModelLoader
{
    Task<LocalModel> LoadAsync(ModelDefinition definition, CancellationToken cancellationToken);
}
