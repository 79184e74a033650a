using MerFactory.Llm.Routing;
using MerFactory.Llm.Tests.Fakes;

namespace MerFactory.Llm.Tests;

public sealed class GeminiContractTests : IAsyncLifetime
{
    private readonly FakeGemini _server = new();

    public async Task InitializeAsync() => await _server.StartAsync();
    public async Task DisposeAsync() => await _server.DisposeAsync();

    private LlmGateway Gateway(Action<LlmBackendOptions>? tune = null, Action<LlmRoutingOptions>? route = null)
    {
        var backend = TestGateway.Backend(LlmBackendKind.Gemini, _server.BaseUrl, _server.ApiKey);
        tune?.Invoke(backend);
        var routing = TestGateway.Routing("gemini", backend, "gemini-2.5-flash");
        route?.Invoke(routing);
        return TestGateway.Create(routing);
    }

    [Fact]
    public async Task SynthesisSendsThePromptAndGenerationParametersAndReportsUsage()
    {
        using var gateway = Gateway(route: r => r.Default!.MaxOutputTokens = 1024);
        var result = await gateway.RunAsync(new LlmStepRequest(LlmStep.Synthesis, "Summarise the clues.") { SystemPrompt = "You are careful." });

        Assert.Equal(LlmStepStatus.Completed, result.Status);
        Assert.False(string.IsNullOrWhiteSpace(result.Text));
        Assert.Equal(("gemini", "gemini-2.5-flash", LlmBackendKind.Gemini), (result.Backend, result.Model, result.BackendKind));
        var call = Assert.Single(_server.Calls);
        Assert.Equal(["[system] You are careful.", "Summarise the clues."], call.Texts);
        Assert.Empty(call.Media);
        Assert.Equal(0.0, call.Parameters["temperature"]!.GetValue<double>());
        Assert.Equal(1024, call.Parameters["maxOutputTokens"]!.GetValue<int>());
        Assert.Equal(new LlmUsage(100, 42), result.Usage);
        Assert.Empty(_server.Rejections);
    }

    [Theory]
    [InlineData(LlmStep.Image, "image/jpeg")]
    [InlineData(LlmStep.Audio, "audio/wav")]
    [InlineData(LlmStep.Video, "video/mp4")]
    public async Task EachModalityTravelsInlineWithItsMimeType(LlmStep step, string mime)
    {
        var media = step switch { LlmStep.Image => await TestMedia.Jpeg(), LlmStep.Audio => await TestMedia.Wav(), _ => await TestMedia.Mp4() };
        using var gateway = Gateway();
        var result = await gateway.RunAsync(new LlmStepRequest(step, "Describe it.", [media]));

        Assert.Equal(LlmStepStatus.Completed, result.Status);
        Assert.Equal(DegradationKind.None, result.Degradation.Kind);
        var received = Assert.Single(Assert.Single(_server.Calls).Media);
        Assert.Equal(new RecordedMedia(mime, media.Sha256, "inline"), received);
        Assert.Equal(0, _server.UploadCount);
    }

    [Fact]
    public async Task MediaAboveTheInlineLimitGoThroughTheFileApiAndWaitUntilActive()
    {
        var video = await TestMedia.Mp4();
        var image = TestMedia.Png();
        using var gateway = Gateway(b => b.InlineRequestLimitBytes = 64 * 1024);
        var result = await gateway.RunAsync(new LlmStepRequest(LlmStep.Video, "Describe the video.", [video, image]));

        Assert.Equal(LlmStepStatus.Completed, result.Status);
        var call = Assert.Single(_server.Calls);
        Assert.Contains(new RecordedMedia("video/mp4", video.Sha256, "file"), call.Media);
        Assert.Contains(new RecordedMedia("image/png", image.Sha256, "inline"), call.Media); // small part stays inline
        Assert.Equal(1, _server.UploadCount);
        Assert.True(_server.FilePolls >= 1, "a PROCESSING video must be polled until ACTIVE");
        Assert.Empty(_server.Rejections);

        // A second call with the same video (e.g. a retry or another prompt) reuses the uploaded file.
        await gateway.RunAsync(new LlmStepRequest(LlmStep.Video, "Describe the people.", [video]));
        Assert.Equal(1, _server.UploadCount);
        Assert.Equal("file", _server.Calls.Last().Media.Single().Via);
    }

    [Fact]
    public async Task AWrongKeyFailsOnceWithTheProviderMessageAndWithoutTheKey()
    {
        using var gateway = Gateway(b => b.ApiKey = "wrong-secret-key-123");
        var error = await Assert.ThrowsAsync<LlmGatewayException>(() => gateway.RunAsync(new LlmStepRequest(LlmStep.Synthesis, "hi")));

        Assert.Equal(LlmFailureKind.ClientError, error.Kind);
        Assert.Equal(1, error.Attempts);
        Assert.Contains("API key not valid", error.Message);
        Assert.DoesNotContain("wrong-secret-key-123", error.ToString());
    }

    [Fact]
    public async Task AnUnknownModelIsAClearNonRetriedFailure()
    {
        using var gateway = Gateway(route: r => r.Default!.Model = "gemini-9-ultra");
        var error = await Assert.ThrowsAsync<LlmGatewayException>(() => gateway.RunAsync(new LlmStepRequest(LlmStep.Synthesis, "hi")));
        Assert.Equal(1, _server.ModelRequests);
        Assert.Contains("gemini-9-ultra is not found", error.Message);
    }
}
