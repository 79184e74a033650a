namespace MerFactory.ModelHost.Inference;

/// <summary>One part of a chat message: text, or media bytes (never a file path: the client's files are not the host's).</summary>
public abstract record PromptPart;

public sealed record TextPart(string Text) : PromptPart;

/// <summary>Media carried inline. <paramref name="Kind"/> is Image, Audio or Video.</summary>
public sealed record MediaPart(ModelModality Kind, byte[] Data, string Format) : PromptPart;

public sealed record PromptMessage(string Role, IReadOnlyList<PromptPart> Parts)
{
    public string Text => string.Concat(Parts.OfType<TextPart>().Select(p => p.Text));
}

/// <summary>Sampling settings of one request; temperature 0 is greedy (deterministic).</summary>
public sealed record GenerationSettings(int MaxTokens, float Temperature = 0f, float TopP = 1f, uint? Seed = null);

/// <summary>Counts a generation fills in as it runs (read after the stream ends).</summary>
public sealed class GenerationUsage
{
    public int PromptTokens { get; set; }
    public int CompletionTokens { get; set; }
    public bool HitTokenLimit { get; set; }
}

/// <summary>A request carries a modality its model lacks: a 400 with a typed code, never an empty answer.</summary>
public sealed class ModalityNotSupportedException(string model, ModelModality requested, ModelModality supported)
    : Exception($"Model '{model}' does not take {requested.ToString().ToLowerInvariant()} input (it takes {string.Join(", ", supported.Names())}).")
{
    public string Model { get; } = model;
    public ModelModality Requested { get; } = requested;
}

/// <summary>The request names a model the host does not know: 404.</summary>
public sealed class ModelNotFoundException(string model, string detail) : Exception($"Model '{model}' not found: {detail}")
{
    public string Model { get; } = model;
}

/// <summary>A model file exists but could not be loaded: 500 with the cause.</summary>
public sealed class ModelLoadException(string model, string detail, Exception? inner = null) : Exception($"Model '{model}' failed to load: {detail}", inner);
