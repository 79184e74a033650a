using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MerFactory.Llm;
using MerFactory.Llm.Routing;
using MerFactory.ModelHost.Tests.Support;

namespace MerFactory.ModelHost.Tests;

/// <summary>
/// What the pipeline's hf backend (MerFactory.Llm's OpenAI-compatible client) needs from a model server, run against
/// our host with the tiny model and against a stand-in of llama-server: either can serve <c>--hf-server-url</c>.
/// </summary>
public abstract class ModelServerContract : IAsyncLifetime
{
    protected abstract Task<(Uri BaseUrl, string? ApiKey, string Model)> StartAsync();
    protected abstract Task StopAsync();
    protected abstract Regex ExpectedAnswer { get; }

    private (Uri BaseUrl, string? ApiKey, string Model) _server;

    public async Task InitializeAsync() => _server = await StartAsync();
    public Task DisposeAsync() => StopAsync();

    protected LlmGateway Gateway(string? capabilities = null)
    {
        var routing = LlmRouting.FromCliFlags(new LlmCliFlags
        {
            HuggingFaceModel = _server.Model,
            HuggingFaceServerUrl = _server.BaseUrl.AbsoluteUri,
            HuggingFaceApiKey = _server.ApiKey,
            ModelCapabilities = capabilities,
        }, _ => null);
        routing.Backends["hf"].RetryBaseDelay = TimeSpan.FromMilliseconds(10);
        return new LlmGateway(routing);
    }

    [Fact]
    public async Task A_text_step_through_the_pipeline_client_completes_with_the_server_s_answer()
    {
        using var gateway = Gateway();
        var result = await gateway.RunAsync(new LlmStepRequest(LlmStep.Synthesis, "Summarise the emotional state in one sentence."));
        Assert.Equal(LlmStepStatus.Completed, result.Status);
        Assert.Matches(ExpectedAnswer, result.Text!);
        Assert.True(result.Usage.OutputTokens > 0);
    }

    [Fact]
    public async Task An_image_for_a_model_without_a_projector_is_refused_and_the_step_is_skipped_not_invented()
    {
        using var gateway = Gateway("text,image"); // claimed, so the request reaches the server, which refuses it
        var image = await MediaAttachment.FromFileAsync(MerFactory.Testing.SharedData.DataPath("media", "pyfeat", "single_face.jpg"));
        var result = await gateway.RunAsync(new LlmStepRequest(LlmStep.Image, "Describe the face.", [image]));
        Assert.Equal(LlmStepStatus.Skipped, result.Status);
        Assert.Null(result.Text);
        Assert.Contains("image", result.SkipReason, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Health_models_and_a_non_streaming_completion_answer_in_OpenAI_shapes()
    {
        using var http = new HttpClient { BaseAddress = _server.BaseUrl };
        if (_server.ApiKey is not null) http.DefaultRequestHeaders.Authorization = new("Bearer", _server.ApiKey);
        using (var health = await http.GetAsync("health")) Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        var models = JsonNode.Parse(await http.GetStringAsync("v1/models"))!;
        Assert.Contains(models["data"]!.AsArray(), m => m!["id"]!.GetValue<string>() == _server.Model);
        var props = JsonNode.Parse(await http.GetStringAsync("props"))!;
        Assert.False(props["modalities"]!["vision"]!.GetValue<bool>());

        using var response = await http.PostAsJsonAsync("v1/chat/completions", new JsonObject
        {
            ["model"] = _server.Model, ["max_tokens"] = 8, ["temperature"] = 0,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Hello." }),
        });
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("chat.completion", body["object"]!.GetValue<string>());
        Assert.Matches(ExpectedAnswer, body["choices"]![0]!["message"]!["content"]!.GetValue<string>());
    }
}

public sealed partial class ModelHostContractTests : ModelServerContract
{
    private TestHost? _host;

    protected override async Task<(Uri, string?, string)> StartAsync()
    {
        _host = await TestHost.StartAsync(TestHost.NewModelsFolder(), o =>
        {
            o.DefaultModel = "tiny";
            o.ApiKey = "contract-key";
        });
        await _host.Get<Serving.DefaultModelReadiness>().Ready;
        return (_host.BaseUrl, "contract-key", "tiny");
    }

    protected override async Task StopAsync()
    {
        await _host!.DisposeAsync();
        Directory.Delete(_host.ModelsFolder, recursive: true);
    }

    [Fact]
    public async Task A_whole_clip_reaches_the_host_as_a_video_and_a_text_model_refuses_it_by_name()
    {
        // The OpenAI SDK sends the clip as a standard file part. The host reads it as video and refuses that modality,
        // which the gateway learns and turns into a skip; a part the host could not read would fail the step instead.
        using var gateway = Gateway("text,video");
        var clip = await MediaAttachment.FromFileAsync(MerFactory.Testing.SharedData.DataPath("media", "pyfeat", "single_face.mp4"));
        var result = await gateway.RunAsync(new LlmStepRequest(LlmStep.Video, "Describe the clip.", [clip]));
        Assert.Equal(LlmStepStatus.Skipped, result.Status);
        Assert.Null(result.Text);
        Assert.Contains("does not take video", result.SkipReason, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^\s*w\d+( w\d+)*\s*$")]
    private static partial Regex WordPieces();
    protected override Regex ExpectedAnswer => WordPieces();
}

public sealed partial class LlamaServerContractTests : ModelServerContract
{
    private readonly LlamaServerStandIn _server = new("tiny-random.gguf");

    protected override async Task<(Uri, string?, string)> StartAsync() => ((await _server.StartAsync()).BaseUrl, null, _server.Alias);
    protected override Task StopAsync() => _server.DisposeAsync().AsTask();

    [GeneratedRegex(@"^llama-server stand-in read \d+ prompt characters$")]
    private static partial Regex StandInAnswer();
    protected override Regex ExpectedAnswer => StandInAnswer();
}
