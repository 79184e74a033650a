using System.Text.Json.Nodes;
using MerFactory.Llm.Routing;
using MerFactory.Llm.Tests.Fakes;

namespace MerFactory.Llm.Tests;

/// <summary>An OpenAI-compatible server's model capabilities are discovered (listing, then refusals), not assumed.</summary>
public sealed class CapabilityDiscoveryTests : IAsyncLifetime
{
    private readonly FakeOpenAi _server = new() { ApiKey = null };

    public Task InitializeAsync() => _server.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private LlmGateway Gateway(string model, string? declared = null)
    {
        var backend = TestGateway.Backend(LlmBackendKind.OpenAICompatible, new Uri(_server.BaseUrl, "v1/"), null);
        if (declared is not null) backend.ModelCapabilities[model] = declared;
        return TestGateway.Create(TestGateway.Routing("local", backend, model));
    }

    private static async Task<LlmStepRequest> ImageRequest() => new(LlmStep.Image, "Describe the face.", [await TestMedia.Jpeg()]);

    private static async Task<LlmStepRequest> AudioRequest() =>
        new(LlmStep.Audio, "Describe the voice.", [await TestMedia.Wav()], new MediaEvidence(null, "ask not what your country can do for you", "calm, low pitch"));

    [Fact]
    public async Task A_model_the_server_does_not_describe_gets_the_image_it_can_take()
    {
        _server.Models.Add("my-local-model");
        using var gateway = Gateway("my-local-model");

        var result = await gateway.RunAsync(await ImageRequest());

        Assert.Equal(DegradationKind.None, result.Degradation.Kind);
        Assert.Single(Assert.Single(_server.Calls).Media);
    }

    [Fact]
    public async Task A_refusal_of_the_modality_is_remembered_and_the_step_falls_back_as_a_degradation()
    {
        _server.Models.Add("text-model");
        using var gateway = Gateway("text-model");

        var audio = await gateway.RunAsync(await AudioRequest());

        // The server said "does not support audio input": the transcript went instead, and the result says so.
        Assert.Equal(DegradationKind.AudioAsTranscript, audio.Degradation.Kind);
        Assert.Contains("refused audio input", audio.Degradation.Description);
        Assert.Contains("does not support audio input", Assert.Single(_server.Rejections));
        Assert.Contains("what your country can do", Assert.Single(_server.Calls).AllText);

        // Learned for the model: the next audio step does not send the audio again.
        var again = await gateway.RunAsync(await AudioRequest());
        Assert.Equal(DegradationKind.AudioAsTranscript, again.Degradation.Kind);
        Assert.Single(_server.Rejections);
        Assert.Equal(3, _server.ModelRequests);
    }

    [Fact]
    public async Task A_text_only_model_refusing_images_gets_skipped_image_steps_not_invented_text()
    {
        _server.Models.Add("plain-llm");
        _server.TextOnlyModels.Add("plain-llm");
        using var gateway = Gateway("plain-llm");

        var image = await gateway.RunAsync(await ImageRequest());

        Assert.Equal(LlmStepStatus.Skipped, image.Status);
        Assert.Null(image.Text);
        Assert.Contains("does not take image", image.SkipReason);
    }

    [Fact]
    public async Task What_the_model_listing_says_is_used_before_sending_anything()
    {
        _server.Models.Add("listed-vlm");
        _server.ModelInfo["listed-vlm"] = new JsonObject { ["architecture"] = new JsonObject { ["input_modalities"] = new JsonArray("text", "image") } };
        using var gateway = Gateway("listed-vlm");

        var audio = await gateway.RunAsync(await AudioRequest());
        var image = await gateway.RunAsync(await ImageRequest());

        // The listing says no audio: the transcript is sent at once, with no refused request first.
        Assert.Equal(DegradationKind.AudioAsTranscript, audio.Degradation.Kind);
        Assert.Empty(_server.Rejections);
        Assert.Equal(DegradationKind.None, image.Degradation.Kind);
        Assert.Equal(2, _server.ModelRequests);
    }

    [Fact]
    public async Task Configured_capabilities_win_over_discovery()
    {
        _server.Models.Add("declared-text");
        using var gateway = Gateway("declared-text", declared: "text");

        var image = await gateway.RunAsync(await ImageRequest());

        Assert.Equal(LlmStepStatus.Skipped, image.Status);
        Assert.Equal(0, _server.ModelRequests);
    }

    [Fact]
    public void A_base_url_override_without_a_kind_keeps_the_backend_protocol()
    {
        var configured = new LlmRoutingOptions();
        configured.Backends["ollama"] = new LlmBackendOptions { BaseUrl = new Uri("http://127.0.0.1:1/") };
        var routing = LlmRouting.FromCliFlags(new LlmCliFlags { OllamaTextModel = "llama3.2" }, _ => null, configured);
        Assert.Equal(LlmBackendKind.Ollama, routing.Backends["ollama"].Kind);

        var unnamed = new LlmRoutingOptions { Default = LlmStepRoute.To("mystery", "m") };
        unnamed.Backends["mystery"] = new LlmBackendOptions { BaseUrl = new Uri("http://127.0.0.1:1/") };
        var error = Assert.Throws<ArgumentException>(() => new LlmGateway(unnamed));
        Assert.Contains("LlmGateway:Backends:mystery:Kind", error.Message);
    }
}
