using MerFactory.Llm.Routing;
using MerFactory.Llm.Tests.Fakes;

namespace MerFactory.Llm.Tests;

public sealed class HfServerContractTests : IAsyncLifetime
{
    private const string Omni = "Qwen/Qwen2.5-Omni-7B";
    private readonly FakeHfServer _server = new(Omni);

    public async Task InitializeAsync() => await _server.StartAsync();
    public async Task DisposeAsync() => await _server.DisposeAsync();

    private LlmGateway Gateway(string model = Omni)
    {
        var env = new Dictionary<string, string?> { ["HF_API_BASE_URL"] = _server.BaseUrl.AbsoluteUri };
        var routing = LlmRouting.FromCliFlags(new LlmCliFlags { HuggingFaceModel = model }, k => env.GetValueOrDefault(k));
        routing.Backends["hf"].RetryBaseDelay = TimeSpan.FromMilliseconds(10);
        return TestGateway.Create(routing);
    }

    [Theory]
    [InlineData(LlmStep.Image, "describe_image", "image")]
    [InlineData(LlmStep.Audio, "analyze_audio", "audio")]
    [InlineData(LlmStep.Video, "describe_video", "video")]
    [InlineData(LlmStep.FacialExpression, "describe_facial_expression", null)]
    [InlineData(LlmStep.Synthesis, "synthesize_summary", null)]
    public async Task EachStepCallsMerFactorysMethodWithInlineMediaAndItsPath(LlmStep step, string method, string? kind)
    {
        var media = kind switch { "image" => await TestMedia.Jpeg(), "audio" => await TestMedia.Wav(), "video" => await TestMedia.Mp4(), _ => null };
        using var gateway = Gateway();
        var result = await gateway.RunAsync(new LlmStepRequest(step, "Do the task.", media is null ? null : [media]));

        Assert.Equal(LlmStepStatus.Completed, result.Status);
        Assert.Equal(new LlmUsage(64, 12), result.Usage);
        var call = Assert.Single(_server.Calls);
        Assert.Equal(method, call.Method);
        Assert.Equal(["Do the task."], call.Texts);
        if (media is not null)
        {
            Assert.Equal(media.Sha256, Assert.Single(call.Media).Sha256);
            Assert.Equal(media.SourcePath, call.Parameters[kind + "_path"]!.GetValue<string>());
        }
        Assert.Empty(_server.Rejections);
    }

    [Fact]
    public async Task AnEmptyResultIsAFailureNotAnAnswer()
    {
        _server.AnswerEmpty = true;
        using var gateway = Gateway();
        var error = await Assert.ThrowsAsync<LlmGatewayException>(() => gateway.RunAsync(new LlmStepRequest(LlmStep.Synthesis, "Conclude.")));
        Assert.Equal(LlmFailureKind.NoAnswer, error.Kind);
        Assert.Equal(1, _server.ModelRequests);
    }

    [Fact]
    public async Task ServerErrorBodiesAreReported()
    {
        using var gateway = Gateway("google/gemma-3n-E4B-it"); // not the served model
        var error = await Assert.ThrowsAsync<LlmGatewayException>(() => gateway.RunAsync(new LlmStepRequest(LlmStep.Synthesis, "Conclude.")));
        Assert.Contains("This server hosts 'Qwen/Qwen2.5-Omni-7B'", error.Message);
        Assert.Equal(LlmFailureKind.ClientError, error.Kind);
    }

    [Fact]
    public async Task AnAudioOnlyModelServesAudioButNotTextSteps()
    {
        await using var whisper = new FakeHfServer("openai/whisper-base");
        await whisper.StartAsync();
        var env = new Dictionary<string, string?> { ["HF_API_BASE_URL"] = whisper.BaseUrl.AbsoluteUri };
        using var gateway = TestGateway.Create(LlmRouting.FromCliFlags(new LlmCliFlags { HuggingFaceModel = "openai/whisper-base" }, k => env.GetValueOrDefault(k)));

        var audio = await gateway.RunAsync(new LlmStepRequest(LlmStep.Audio, "Transcribe.", [await TestMedia.Wav()]));
        var synthesis = await gateway.RunAsync(new LlmStepRequest(LlmStep.Synthesis, "Conclude."));

        Assert.Equal(LlmStepStatus.Completed, audio.Status);
        Assert.Equal(LlmStepStatus.Skipped, synthesis.Status);
        Assert.Contains("takes no text prompts", synthesis.SkipReason);
        Assert.Equal(1, whisper.ModelRequests);
    }

    [Theory]
    [InlineData(Fault.ServerError, LlmFailureKind.ServerError, "CUDA out of memory")]
    [InlineData(Fault.MalformedJson, LlmFailureKind.MalformedResponse, "not JSON")]
    public async Task TransientServerFaultsAreRetriedThenFail(Fault fault, LlmFailureKind kind, string message)
    {
        _server.Faults.Always(fault);
        using var gateway = Gateway();
        var error = await Assert.ThrowsAsync<LlmGatewayException>(() => gateway.RunAsync(new LlmStepRequest(LlmStep.Synthesis, "Conclude.")));
        Assert.Equal(kind, error.Kind);
        Assert.Equal(5, _server.ModelRequests); // default budget: 1 + 4 retries
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public async Task AHungModelServerTimesOut()
    {
        _server.Faults.Then(Fault.Hang);
        var env = new Dictionary<string, string?> { ["HF_API_BASE_URL"] = _server.BaseUrl.AbsoluteUri };
        var routing = LlmRouting.FromCliFlags(new LlmCliFlags { HuggingFaceModel = Omni }, k => env.GetValueOrDefault(k));
        routing.Backends["hf"].AttemptTimeout = TimeSpan.FromMilliseconds(300);
        routing.Backends["hf"].RetryBaseDelay = TimeSpan.FromMilliseconds(10);
        using var gateway = TestGateway.Create(routing);

        var result = await gateway.RunAsync(new LlmStepRequest(LlmStep.Synthesis, "Conclude."));

        Assert.Equal(2, result.Attempts);
        Assert.Equal("Qwen/Qwen2.5-Omni-7B ran synthesize_summary on 0 media item(s).", result.Text);
    }
}
