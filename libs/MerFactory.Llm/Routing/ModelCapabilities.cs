namespace MerFactory.Llm.Routing;

/// <summary>
/// What each backend/model accepts (spec §6.5–6.6, corrected to what the providers document).
/// Configuration overrides win; otherwise a per-provider table by model-name pattern.
/// </summary>
public static class ModelCapabilities
{
    // Ollama model families that take images (ollama.com "vision" tag).
    private static readonly string[] OllamaVisionFamilies =
        ["llava", "bakllava", "vision", "moondream", "minicpm-v", "gemma3", "qwen2.5vl", "qwen2.5-vl", "qwen3-vl", "llama4", "mistral-small3", "granite3.2-vision"];

    /// <summary>OpenAI <c>input_audio</c> accepts only these encodings.</summary>
    public static readonly IReadOnlyDictionary<string, string> OpenAiAudioFormats = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["audio/wav"] = "wav", ["audio/x-wav"] = "wav", ["audio/wave"] = "wav", ["audio/vnd.wave"] = "wav",
        ["audio/mpeg"] = "mp3", ["audio/mp3"] = "mp3",
    };

    public static Modality Resolve(LlmBackendKind kind, string model, LlmBackendOptions? options)
    {
        if (options?.ModelCapabilities.TryGetValue(model, out var configured) == true) return Parse(configured, model);
        var m = model.ToLowerInvariant();
        return kind switch
        {
            LlmBackendKind.Gemini => Modality.All,
            LlmBackendKind.OpenAI => OpenAi(m),
            // Unknown local servers: text only unless configured; a vision model name is a strong hint.
            LlmBackendKind.OpenAICompatible => m.Contains("vl", StringComparison.Ordinal) || m.Contains("vision", StringComparison.Ordinal) || m.Contains("llava", StringComparison.Ordinal)
                ? Modality.Text | Modality.Image : Modality.Text,
            LlmBackendKind.Ollama => OllamaVisionFamilies.Any(f => m.Contains(f, StringComparison.Ordinal)) ? Modality.Text | Modality.Image : Modality.Text,
            LlmBackendKind.HfServer => HuggingFace(m),
            _ => Modality.Text,
        };
    }

    private static Modality OpenAi(string m)
    {
        if (m.Contains("audio", StringComparison.Ordinal)) return Modality.Text | Modality.Audio;
        if (m.StartsWith("gpt-3.5", StringComparison.Ordinal)) return Modality.Text;
        // gpt-4o, gpt-4.1, gpt-5, o-series take images; no chat model takes video.
        return Modality.Text | Modality.Image;
    }

    // Registry of MER-Factory's hf_models (§6.5).
    private static Modality HuggingFace(string m)
    {
        if (m.Contains("gemma-3n", StringComparison.Ordinal) || m.Contains("qwen2.5-omni", StringComparison.Ordinal)) return Modality.All;
        if (m.Contains("qwen2-audio", StringComparison.Ordinal)) return Modality.Text | Modality.Audio;
        if (m.Contains("audio-reasoner", StringComparison.Ordinal) || m.Contains("whisper", StringComparison.Ordinal)) return Modality.Audio;
        return Modality.Text;
    }

    public static Modality Parse(string text, string? what = null)
    {
        var result = Modality.None;
        foreach (var part in text.Split([',', ' ', '|', '+'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (!Enum.TryParse<Modality>(part, ignoreCase: true, out var value) || !Enum.IsDefined(value))
                throw new FormatException($"Unknown modality '{part}' in capabilities '{text}'{(what is null ? "" : $" of model '{what}'")}; use text, image, audio, video.");
            result |= value;
        }
        return result;
    }
}
