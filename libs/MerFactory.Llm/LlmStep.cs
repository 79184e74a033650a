namespace MerFactory.Llm;

/// <summary>The pipeline steps that call an LLM (spec §2.3, §2.5); each can be routed to its own backend and model.</summary>
public enum LlmStep
{
    Audio,
    Video,
    Image,
    FacialExpression,
    Synthesis,
    Gate,
}

/// <summary>Input modalities a model accepts.</summary>
[Flags]
public enum Modality
{
    None = 0,
    Text = 1,
    Image = 2,
    Audio = 4,
    Video = 8,
    All = Text | Image | Audio | Video,
}

/// <summary>Wire protocols the gateway speaks.</summary>
public enum LlmBackendKind
{
    /// <summary>
    /// Not set in configuration: taken from the backend's name ("gemini", "openai", "openai-compatible", "ollama", "hf"),
    /// so overriding only a backend's BaseUrl keeps its protocol instead of silently becoming the first kind.
    /// </summary>
    Unspecified,
    /// <summary>Google Gemini REST <c>generateContent</c> (+ File API for large media).</summary>
    Gemini,
    /// <summary>OpenAI chat completions at api.openai.com.</summary>
    OpenAI,
    /// <summary>Any server speaking OpenAI chat completions (vLLM, llama.cpp server, LM Studio).</summary>
    OpenAICompatible,
    /// <summary>Ollama <c>/api/chat</c> through OllamaSharp.</summary>
    Ollama,
    /// <summary>The project's hf-server: MER-Factory's <c>{"method","params"}</c> protocol over HTTP JSON.</summary>
    HfServer,
}

public static class LlmStepExtensions
{
    /// <summary>The media modality a step attaches (Text for text-only steps).</summary>
    public static Modality RequiredModality(this LlmStep step) => step switch
    {
        LlmStep.Audio => Modality.Audio,
        LlmStep.Video => Modality.Video,
        LlmStep.Image => Modality.Image,
        _ => Modality.Text,
    };

    /// <summary>Kebab-case name used in configuration, logs, metrics and CLI flags.</summary>
    public static string ToKebab(this LlmStep step) => step switch
    {
        LlmStep.FacialExpression => "facial-expression",
        _ => step.ToString().ToLowerInvariant(),
    };

    public static bool TryParseStep(string text, out LlmStep step)
    {
        var normalized = text.Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal);
        return Enum.TryParse(normalized, ignoreCase: true, out step) && Enum.IsDefined(step);
    }
}
