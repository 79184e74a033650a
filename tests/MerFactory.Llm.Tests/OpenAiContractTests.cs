using MerFactory.Llm.Routing;
using MerFactory.Llm.Tests.Fakes;

namespace MerFactory.Llm.Tests;

public sealed class OpenAiContractTests : IAsyncLifetime
{
    private readonly FakeOpenAi _server = new();

    public async Task InitializeAsync() => await _server.StartAsync();
    public async Task DisposeAsync() => await _server.DisposeAsync();

    private LlmGateway Gateway(params (LlmStep, string)[] steps)
    {
        var backend = TestGateway.Backend(LlmBackendKind.OpenAI, new Uri(_server.BaseUrl, "v1/"), _server.ApiKey);
        var routing = TestGateway.Routing("openai", backend, "gpt-4o-mini", steps);
        routing.Default!.MaxOutputTokens = 512;
        return TestGateway.Create(routing);
    }

    [Fact]
    public async Task TextIsStreamedAndAssembledWithUsageAndParameters()
    {
        using var gateway = Gateway();
        var result = await gateway.RunAsync(new LlmStepRequest(LlmStep.Synthesis, "Reason about the clues.") { Parameters = new(Temperature: 0.2f, Seed: 7) });

        var call = Assert.Single(_server.Calls);
        Assert.Equal("gpt-4o-mini", call.Model);
        Assert.Equal(["Reason about the clues."], call.Texts);
        Assert.Equal(0.2, call.Parameters["temperature"]!.GetValue<double>(), 3);
        Assert.Equal(7, call.Parameters["seed"]!.GetValue<long>());
        Assert.Equal(512, call.Parameters["max_completion_tokens"]!.GetValue<int>());
        Assert.Null(call.Parameters["max_tokens"]);
        // The fake streams its answer in several chunks; the result must be the whole answer.
        Assert.Equal("gpt-4o-mini read 1 text part(s) and 0 media part(s): .", result.Text);
        Assert.Equal(new LlmUsage(50, 20), result.Usage);
    }

    [Fact]
    public async Task ImagesAreSentAsDataUrls()
    {
        var jpeg = await TestMedia.Jpeg();
        using var gateway = Gateway();
        var result = await gateway.RunAsync(new LlmStepRequest(LlmStep.Image, "Describe the image.", [jpeg]));

        Assert.Equal(LlmStepStatus.Completed, result.Status);
        Assert.Equal(new RecordedMedia("image/jpeg", jpeg.Sha256, "data-url"), Assert.Single(Assert.Single(_server.Calls).Media));
    }

    [Theory]
    [InlineData("wav")]
    [InlineData("mp3")]
    public async Task AudioIsSentAsInputAudioWithItsRealFormat(string format)
    {
        var audio = format == "wav" ? await TestMedia.Wav() : TestMedia.Mp3();
        using var gateway = Gateway((LlmStep.Audio, "gpt-4o-audio-preview"));
        var result = await gateway.RunAsync(new LlmStepRequest(LlmStep.Audio, "Transcribe and describe the tone.", [audio]));

        Assert.Equal(DegradationKind.None, result.Degradation.Kind);
        Assert.Equal("gpt-4o-audio-preview", result.Model);
        var received = Assert.Single(Assert.Single(_server.Calls).Media);
        Assert.Equal("input_audio:" + format, received.Via);
        Assert.Equal(audio.Sha256, received.Sha256);
        Assert.Empty(_server.Rejections);
    }

    [Fact]
    public async Task AudioInAFormatInputAudioRejectsDegradesToTranscriptAndProsody()
    {
        using var gateway = Gateway((LlmStep.Audio, "gpt-4o-audio-preview"));
        var result = await gateway.RunAsync(new LlmStepRequest(LlmStep.Audio, "Transcribe and describe the tone.", [TestMedia.Flac()], TestMedia.Evidence()));

        Assert.Equal(DegradationKind.AudioAsTranscript, result.Degradation.Kind);
        Assert.Contains("audio/flac", result.Degradation.Description);
        var call = Assert.Single(_server.Calls);
        Assert.Empty(call.Media);
        Assert.Contains(TestMedia.JfkTranscript, call.AllText);
        Assert.Contains("rising emphasis", call.AllText);
    }

    [Fact]
    public async Task AudioOnAModelWithoutAudioDegradesToTranscript()
    {
        using var gateway = Gateway();
        var result = await gateway.RunAsync(new LlmStepRequest(LlmStep.Audio, "Transcribe.", [await TestMedia.Wav()], TestMedia.Evidence()));

        Assert.Equal(DegradationKind.AudioAsTranscript, result.Degradation.Kind);
        Assert.Contains("does not take audio", result.Degradation.Description);
        Assert.Empty(Assert.Single(_server.Calls).Media);
        Assert.Empty(_server.Rejections);
    }

    [Fact]
    public async Task VideoDegradesToSampledFramesPlusTranscript()
    {
        var evidence = TestMedia.Evidence(frames: 4);
        using var gateway = Gateway();
        var result = await gateway.RunAsync(new LlmStepRequest(LlmStep.Video, "Describe the video.", [await TestMedia.Mp4()], evidence));

        Assert.Equal(LlmStepStatus.Completed, result.Status);
        Assert.Equal(DegradationKind.VideoAsFrames, result.Degradation.Kind);
        var call = Assert.Single(_server.Calls);
        Assert.Equal(evidence.FrameList.Select(f => f.Sha256), call.Media.Select(m => m.Sha256));
        Assert.All(call.Media, m => Assert.Equal("data-url", m.Via));
        Assert.Contains("4 frames sampled", call.AllText);
        Assert.Contains(TestMedia.JfkTranscript, call.AllText);
    }

    [Fact]
    public async Task VideoWithoutEvidenceIsSkippedWithAReasonNotAnEmptyAnswer()
    {
        using var gateway = Gateway();
        var result = await gateway.RunAsync(new LlmStepRequest(LlmStep.Video, "Describe the video.", [await TestMedia.Mp4()]));

        Assert.Equal(LlmStepStatus.Skipped, result.Status);
        Assert.Null(result.Text);
        Assert.Contains("does not take video", result.SkipReason);
        Assert.Equal(0, _server.ModelRequests);
    }
}

public sealed class OpenAiCompatibleContractTests : IAsyncLifetime
{
    // A local server (vLLM / llama.cpp / LM Studio) under a path prefix and without a key.
    private readonly FakeOpenAi _server = new() { ApiKey = null, PathPrefix = "/openai/v1" };

    public async Task InitializeAsync()
    {
        _server.Models.Add("Qwen2.5-VL-7B-Instruct");
        _server.Models.Add("llama-3.1-8b-instruct");
        await _server.StartAsync();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task TalksToAnyBaseUrlWithoutAKeyAndUsesMaxTokens()
    {
        var flags = new LlmCliFlags { ChatGptModel = "llama-3.1-8b-instruct", OpenAiBaseUrl = new Uri(_server.BaseUrl, "openai/v1").AbsoluteUri };
        var routing = LlmRouting.FromCliFlags(flags, _ => null);
        routing.Default!.MaxOutputTokens = 256;
        foreach (var route in routing.Steps.Values) route.MaxOutputTokens = 256;
        using var gateway = TestGateway.Create(routing);

        var result = await gateway.RunAsync(new LlmStepRequest(LlmStep.Synthesis, "Conclude."));

        Assert.Equal(LlmBackendKind.OpenAICompatible, result.BackendKind);
        Assert.False(_server.SawAuthorizationHeader);
        var call = Assert.Single(_server.Calls);
        Assert.Equal(256, call.Parameters["max_tokens"]!.GetValue<int>());
        Assert.Null(call.Parameters["max_completion_tokens"]);
    }

    [Fact]
    public async Task AVisionModelNamedAsSuchTakesImagesAndConfiguredCapabilitiesWin()
    {
        var backend = TestGateway.Backend(LlmBackendKind.OpenAICompatible, new Uri(_server.BaseUrl, "openai/v1/"), null);
        backend.ModelCapabilities["llama-3.1-8b-instruct"] = "text";
        var routing = TestGateway.Routing("local", backend, "llama-3.1-8b-instruct", (LlmStep.Image, "Qwen2.5-VL-7B-Instruct"));
        using var gateway = TestGateway.Create(routing);
        var png = TestMedia.Png();

        var image = await gateway.RunAsync(new LlmStepRequest(LlmStep.Image, "Describe.", [png]));
        var textOnly = await gateway.RunAsync(new LlmStepRequest(LlmStep.Video, "Describe.", [await TestMedia.Mp4()], TestMedia.Evidence()));

        Assert.Equal(DegradationKind.None, image.Degradation.Kind);
        Assert.Equal(DegradationKind.VideoAsTranscript, textOnly.Degradation.Kind);
        var calls = _server.Calls.ToList();
        Assert.Equal(png.Sha256, Assert.Single(calls[0].Media).Sha256);
        Assert.Empty(calls[1].Media);
        Assert.Contains(TestMedia.JfkTranscript, calls[1].AllText);
    }
}
