using MerFactory.Llm.Routing;
using MerFactory.Llm.Tests.Fakes;

namespace MerFactory.Llm.Tests;

public sealed class OllamaContractTests : IAsyncLifetime
{
    private readonly FakeOllama _server = new();

    public async Task InitializeAsync() => await _server.StartAsync();
    public async Task DisposeAsync() => await _server.DisposeAsync();

    private LlmGateway Gateway(string? vision = "llava:13b", string? text = "llama3.2")
    {
        var env = new Dictionary<string, string?> { ["OLLAMA_HOST"] = _server.BaseUrl.AbsoluteUri };
        var routing = LlmRouting.FromCliFlags(new LlmCliFlags { OllamaVisionModel = vision, OllamaTextModel = text }, k => env.GetValueOrDefault(k));
        var backend = routing.Backends["ollama"];
        backend.RetryBaseDelay = TimeSpan.FromMilliseconds(10);
        backend.MaxRetries = 2;
        foreach (var route in routing.Steps.Values) route.MaxOutputTokens = 300;
        return TestGateway.Create(routing);
    }

    [Fact]
    public async Task TextStepsUseTheTextModelWithOptions()
    {
        using var gateway = Gateway();
        var result = await gateway.RunAsync(new LlmStepRequest(LlmStep.Synthesis, "Conclude from the clues."));

        var call = Assert.Single(_server.Calls);
        Assert.Equal("llama3.2", call.Model);
        Assert.Equal(["Conclude from the clues."], call.Texts);
        Assert.Equal(0.0, call.Parameters["temperature"]!.GetValue<double>());
        Assert.Equal(300, call.Parameters["num_predict"]!.GetValue<int>());
        Assert.Equal("llama3.2 saw 0 image(s) with prompt of 24 chars.", result.Text);
        Assert.Equal(new LlmUsage(30, 17), result.Usage);
    }

    [Fact]
    public async Task ImagesGoToTheVisionModelAsBase64()
    {
        var jpeg = await TestMedia.Jpeg();
        using var gateway = Gateway();
        var result = await gateway.RunAsync(new LlmStepRequest(LlmStep.Image, "Describe the image.", [jpeg]));

        Assert.Equal("llava:13b", result.Model);
        var call = Assert.Single(_server.Calls);
        Assert.Equal(new RecordedMedia("image/jpeg", jpeg.Sha256, "images"), Assert.Single(call.Media));
    }

    [Fact]
    public async Task VideoBecomesFramesAndAudioBecomesTranscript()
    {
        var evidence = TestMedia.Evidence(frames: 2);
        using var gateway = Gateway();
        var video = await gateway.RunAsync(new LlmStepRequest(LlmStep.Video, "Describe the video.", [await TestMedia.Mp4()], evidence));
        var audio = await gateway.RunAsync(new LlmStepRequest(LlmStep.Audio, "Analyse the audio.", [await TestMedia.Wav()], evidence));

        Assert.Equal(DegradationKind.VideoAsFrames, video.Degradation.Kind);
        Assert.Equal(DegradationKind.AudioAsTranscript, audio.Degradation.Kind);
        var calls = _server.Calls.ToList();
        Assert.Equal(("llava:13b", 2), (calls[0].Model, calls[0].Media.Count));
        Assert.Equal(("llama3.2", 0), (calls[1].Model, calls[1].Media.Count));
        Assert.Contains(TestMedia.JfkTranscript, calls[1].AllText);
    }

    [Fact]
    public async Task ATextOnlyModelCannotTakeAnImageAndSaysSo()
    {
        using var gateway = Gateway(vision: null, text: "llama3.2");
        var result = await gateway.RunAsync(new LlmStepRequest(LlmStep.Image, "Describe.", [TestMedia.Png()]));

        Assert.Equal(LlmStepStatus.Skipped, result.Status);
        Assert.Contains("'llama3.2' does not take image", result.SkipReason);
        Assert.Equal(0, _server.ModelRequests);
    }

    [Fact]
    public async Task AMissingModelFailsWithOllamasMessage()
    {
        using var gateway = Gateway(vision: null, text: "mistral:7b");
        var error = await Assert.ThrowsAsync<LlmGatewayException>(() => gateway.RunAsync(new LlmStepRequest(LlmStep.Synthesis, "hi")));
        Assert.Equal(LlmFailureKind.ClientError, error.Kind);
        Assert.Contains("model \"mistral:7b\" not found", error.Message);
        Assert.Equal(1, error.Attempts);
    }
}
