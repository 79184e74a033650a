namespace MerFactory.ModelHost.Inference;

/// <summary>What a loaded model takes as input.</summary>
[Flags]
public enum ModelModality
{
    None = 0,
    Text = 1,
    Image = 2,
    Audio = 4,
    Video = 8,
    /// <summary>Speech-to-text only (Whisper): served by /v1/audio/transcriptions, not chat.</summary>
    Transcription = 16,
}

public static class ModelModalityExtensions
{
    /// <summary>OpenAI-style names ("text", "image", ...), as /v1/models and /props list them.</summary>
    public static IReadOnlyList<string> Names(this ModelModality modalities) =>
        Enum.GetValues<ModelModality>().Where(m => m != ModelModality.None && modalities.HasFlag(m)).Select(m => m.ToString().ToLowerInvariant()).ToList();
}
