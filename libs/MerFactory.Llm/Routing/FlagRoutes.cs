namespace MerFactory.Llm.Routing;

/// <summary>
/// The backend and per-step models that MER-Factory's model flags pick (spec §6.2), before any backend is configured.
/// The one mapping behind embedded runs (<see cref="LlmRouting.FromCliFlags"/>) and remote jobs (whose routes the
/// deployment's llm-gateway applies), so both send every step to the same model.
/// </summary>
public sealed record FlagRoutes(string Backend, LlmBackendKind Kind, string DefaultModel, IReadOnlyDictionary<LlmStep, string> Models, string Note)
{
    /// <summary>
    /// First match wins: ChatGPT on an OpenAI-compatible server (<c>--openai-base-url</c>), ChatGPT with an OpenAI key,
    /// Hugging Face (hf-server), Ollama. Null when no flag picks a backend; <paramref name="notes"/> then says why a flag was ignored.
    /// </summary>
    /// <param name="hasOpenAiKey">Whether OpenAI can be called: OPENAI_API_KEY locally; a remote deployment holds its own key.</param>
    /// <param name="openAi">The configured <c>openai</c> backend, whose declared capabilities decide MER-Factory's vision and audio pins.</param>
    public static FlagRoutes? Choose(LlmCliFlags flags, bool hasOpenAiKey, LlmBackendOptions? openAi, ICollection<string> notes)
    {
        var chatGpt = NonEmpty(flags.ChatGptModel);
        var ollamaVision = NonEmpty(flags.OllamaVisionModel);
        var ollamaText = NonEmpty(flags.OllamaTextModel);
        var hf = NonEmpty(flags.HuggingFaceModel);
        var compatibleUrl = NonEmpty(flags.OpenAiBaseUrl);

        if (chatGpt is not null && compatibleUrl is not null)
            return All("openai-compatible", LlmBackendKind.OpenAICompatible, chatGpt, $"--chatgpt-model {chatGpt} on the OpenAI-compatible server {compatibleUrl} for every step");
        if (chatGpt is not null && hasOpenAiKey)
        {
            // MER-Factory pins vision to gpt-4o and audio to gpt-4o-audio-preview; keep the user's model where it can do the job.
            var capabilities = ModelCapabilities.Resolve(LlmBackendKind.OpenAI, chatGpt, openAi);
            var vision = capabilities.HasFlag(Modality.Image) ? chatGpt : LlmRouting.OpenAiVisionFallbackModel;
            var audio = capabilities.HasFlag(Modality.Audio) ? chatGpt : LlmRouting.OpenAiAudioModel;
            return All("openai", LlmBackendKind.OpenAI, chatGpt, $"--chatgpt-model {chatGpt} with OPENAI_API_KEY (image/video: {vision}, audio: {audio})",
                (LlmStep.Image, vision), (LlmStep.Video, vision), (LlmStep.Audio, audio));
        }
        if (chatGpt is not null && (hf ?? ollamaText ?? ollamaVision) is not null) notes.Add("--chatgpt-model ignored: OPENAI_API_KEY is not set");
        if (hf is not null) return All("hf", LlmBackendKind.HfServer, hf, $"--huggingface-model {hf} via hf-server");
        if (ollamaVision is not null || ollamaText is not null)
        {
            var vision = ollamaVision ?? ollamaText!;
            var text = ollamaText ?? ollamaVision!;
            return All("ollama", LlmBackendKind.Ollama, text, $"Ollama: vision {vision}, text {text}", (LlmStep.Image, vision), (LlmStep.Video, vision));
        }
        if (chatGpt is not null) notes.Add("--chatgpt-model ignored: OPENAI_API_KEY is not set (and no --openai-base-url)");
        return null;
    }

    private static FlagRoutes All(string backend, LlmBackendKind kind, string model, string note, params (LlmStep Step, string Model)[] overrides)
    {
        var models = Enum.GetValues<LlmStep>().ToDictionary(step => step, _ => model);
        foreach (var (step, stepModel) in overrides) models[step] = stepModel;
        return new FlagRoutes(backend, kind, model, models, note);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
