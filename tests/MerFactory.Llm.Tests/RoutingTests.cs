using MerFactory.Llm.Routing;

namespace MerFactory.Llm.Tests;

public sealed class RoutingTests
{
    private static Func<string, string?> Env(params (string Key, string Value)[] values)
    {
        var dict = values.ToDictionary(v => v.Key, v => (string?)v.Value);
        return key => dict.GetValueOrDefault(key);
    }

    private static (string Backend, string Model) Route(LlmRoutingOptions o, LlmStep step) => (o.RouteFor(step)!.Backend, o.RouteFor(step)!.Model);

    [Fact]
    public void ChatGptWithKeyWinsAndKeepsMerFactorysAudioModel()
    {
        var o = LlmRouting.FromCliFlags(new LlmCliFlags { ChatGptModel = "gpt-4o-mini", OllamaTextModel = "llama3.2", HuggingFaceModel = "x/y" },
            Env(("OPENAI_API_KEY", "sk-1"), ("GOOGLE_API_KEY", "g")));
        Assert.Equal(("openai", "gpt-4o-mini"), Route(o, LlmStep.Synthesis));
        Assert.Equal(("openai", "gpt-4o-mini"), Route(o, LlmStep.Image));
        Assert.Equal(("openai", "gpt-4o-audio-preview"), Route(o, LlmStep.Audio));
        Assert.Equal("sk-1", o.Backends["openai"].ApiKey);
        Assert.Single(o.Backends);
    }

    [Fact]
    public void ATextOnlyChatGptModelFallsBackToGpt4oForVision()
    {
        var o = LlmRouting.FromCliFlags(new LlmCliFlags { ChatGptModel = "gpt-3.5-turbo" }, Env(("OPENAI_API_KEY", "sk-1")));
        Assert.Equal(("openai", "gpt-4o"), Route(o, LlmStep.Image));
        Assert.Equal(("openai", "gpt-3.5-turbo"), Route(o, LlmStep.Gate));
    }

    [Fact]
    public void ChatGptWithoutKeyFallsThroughToHuggingFaceBeforeOllama()
    {
        var o = LlmRouting.FromCliFlags(new LlmCliFlags { ChatGptModel = "gpt-4o", HuggingFaceModel = "Qwen/Qwen2.5-Omni-7B", OllamaVisionModel = "llava" },
            Env(("HF_API_BASE_URL", "http://gpu-box:7860/")));
        Assert.Equal(("hf", "Qwen/Qwen2.5-Omni-7B"), Route(o, LlmStep.Video));
        Assert.Equal(new Uri("http://gpu-box:7860/"), o.Backends["hf"].BaseUrl);
        Assert.Equal(1, o.Backends["hf"].MaxConcurrency);
        Assert.Contains("OPENAI_API_KEY is not set", o.Description);
    }

    [Fact]
    public void OllamaSplitsVisionAndTextAndEitherStandsInForTheOther()
    {
        var both = LlmRouting.FromCliFlags(new LlmCliFlags { OllamaVisionModel = "llava:13b", OllamaTextModel = "llama3.2" }, Env(("GOOGLE_API_KEY", "g")));
        Assert.Equal(("ollama", "llava:13b"), Route(both, LlmStep.Image));
        Assert.Equal(("ollama", "llava:13b"), Route(both, LlmStep.Video));
        Assert.Equal(("ollama", "llama3.2"), Route(both, LlmStep.Synthesis));
        Assert.Equal(("ollama", "llama3.2"), Route(both, LlmStep.Audio));
        Assert.Equal(new Uri("http://localhost:11434/"), both.Backends["ollama"].BaseUrl);

        var visionOnly = LlmRouting.FromCliFlags(new LlmCliFlags { OllamaVisionModel = "llava:13b" }, Env(("OLLAMA_HOST", "10.0.0.5:11434")));
        Assert.Equal(("ollama", "llava:13b"), Route(visionOnly, LlmStep.Synthesis));
        Assert.Equal(new Uri("http://10.0.0.5:11434/"), visionOnly.Backends["ollama"].BaseUrl);
    }

    [Fact]
    public void GeminiIsTheDefaultOnlyWhenItsKeyIsSetAndNothingElseChose()
    {
        var gemini = LlmRouting.FromCliFlags(new LlmCliFlags(), Env(("GOOGLE_API_KEY", "g-key")));
        Assert.All(Enum.GetValues<LlmStep>(), s => Assert.Equal(("gemini", LlmRouting.GeminiDefaultModel), Route(gemini, s)));
        Assert.Equal("g-key", gemini.Backends["gemini"].ApiKey);

        var configured = new LlmRoutingOptions { Default = LlmStepRoute.To("local", "m") };
        configured.Backends["local"] = new LlmBackendOptions { Kind = LlmBackendKind.Ollama };
        var fromConfig = LlmRouting.FromCliFlags(new LlmCliFlags(), Env(("GOOGLE_API_KEY", "g-key")), configured);
        Assert.Equal(("local", "m"), Route(fromConfig, LlmStep.Synthesis));
    }

    [Fact]
    public void NoFlagsAndNoKeysMeansNoLlmWhichIsValid()
    {
        var o = LlmRouting.FromCliFlags(new LlmCliFlags(), Env());
        Assert.Null(o.RouteFor(LlmStep.Synthesis));
        Assert.Equal("no LLM configured", o.Description);
    }

    [Fact]
    public async Task StepsWithoutAnLlmAreSkippedWithTheReason()
    {
        using var gateway = new LlmGateway(LlmRouting.FromCliFlags(new LlmCliFlags(), Env()));
        var result = await gateway.RunAsync(new LlmStepRequest(LlmStep.Synthesis, "Conclude."));
        Assert.Equal(LlmStepStatus.Skipped, result.Status);
        Assert.Equal("no LLM configured for the synthesis step", result.SkipReason);
        Assert.Null(result.Text);
    }

    [Fact]
    public void PerStepRoutesOverrideTheFlags()
    {
        var o = LlmRouting.FromCliFlags(
            new LlmCliFlags { OllamaTextModel = "llama3.2", StepRoutes = ["synthesis=gemini:gemini-2.5-pro", "facial-expression=ollama:llava:13b"] },
            Env(("GOOGLE_API_KEY", "g")));
        Assert.Equal(("gemini", "gemini-2.5-pro"), Route(o, LlmStep.Synthesis));
        Assert.Equal(("ollama", "llava:13b"), Route(o, LlmStep.FacialExpression));
        Assert.Equal(("ollama", "llama3.2"), Route(o, LlmStep.Gate));
        Assert.Equal("g", o.Backends["gemini"].ApiKey);
    }

    [Theory]
    [InlineData("synthesis")]
    [InlineData("synthesis=gemini")]
    [InlineData("dreaming=gemini:gemini-2.5-pro")]
    [InlineData("=gemini:x")]
    public void MalformedStepRoutesAreRejectedClearly(string spec)
    {
        var error = Assert.ThrowsAny<FormatException>(() => LlmRouting.ParseStepRoute(spec));
        Assert.Contains(spec, error.Message);
    }

    [Fact]
    public void AGeminiRouteWithoutAKeyIsAClearError()
    {
        var error = Assert.Throws<ArgumentException>(() => LlmRouting.FromCliFlags(new LlmCliFlags { StepRoutes = ["gate=gemini:gemini-2.5-flash"] }, Env()));
        Assert.Contains("GOOGLE_API_KEY", error.Message);
    }

    [Fact]
    public void ARouteToAnUnknownBackendFailsWhenTheGatewayIsBuilt()
    {
        var routing = new LlmRoutingOptions { Default = LlmStepRoute.To("nowhere", "m") };
        var error = Assert.Throws<ArgumentException>(() => new LlmGateway(routing));
        Assert.Contains("'nowhere'", error.Message);
    }

    [Theory]
    [InlineData(LlmBackendKind.Gemini, "gemini-2.5-flash", Modality.All)]
    [InlineData(LlmBackendKind.OpenAI, "gpt-4o", Modality.Text | Modality.Image)]
    [InlineData(LlmBackendKind.OpenAI, "gpt-4o-audio-preview", Modality.Text | Modality.Audio)]
    [InlineData(LlmBackendKind.Ollama, "llama3.2", Modality.Text)]
    [InlineData(LlmBackendKind.Ollama, "llava:13b", Modality.Text | Modality.Image)]
    [InlineData(LlmBackendKind.HfServer, "google/gemma-3n-E4B-it", Modality.All)]
    [InlineData(LlmBackendKind.HfServer, "Qwen/Qwen2-Audio-7B-Instruct", Modality.Text | Modality.Audio)]
    [InlineData(LlmBackendKind.HfServer, "openai/whisper-small", Modality.Audio)]
    public void CapabilitiesFollowTheProviderTables(LlmBackendKind kind, string model, Modality expected) =>
        Assert.Equal(expected, ModelCapabilities.Resolve(kind, model, null));

    [Fact]
    public void ConfiguredCapabilitiesOverrideTheTableAndBadNamesAreRejected()
    {
        var options = new LlmBackendOptions { ModelCapabilities = { ["my-omni"] = "text, image, audio, video" } };
        Assert.Equal(Modality.All, ModelCapabilities.Resolve(LlmBackendKind.OpenAICompatible, "my-omni", options));
        options.ModelCapabilities["broken"] = "text,smell";
        Assert.Contains("smell", Assert.Throws<FormatException>(() => ModelCapabilities.Resolve(LlmBackendKind.Ollama, "broken", options)).Message);
    }
}
