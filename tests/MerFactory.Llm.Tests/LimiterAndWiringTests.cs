using MerFactory.Llm.Resilience;
using MerFactory.Llm.Routing;
using MerFactory.Llm.Tests.Fakes;
using MerFactory.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace MerFactory.Llm.Tests;

public sealed class LimiterAndWiringTests
{
    [Fact]
    public async Task TheStartLimiterAdmitsExactlyThePermitsPerSlidingWindow()
    {
        var time = new FakeTimeProvider();
        using var limiter = new SlidingWindowStartLimiter(3, TimeSpan.FromSeconds(10), time);

        for (var i = 0; i < 2; i++) Assert.True(limiter.WaitAsync(default).IsCompletedSuccessfully);
        time.Advance(TimeSpan.FromSeconds(4));
        Assert.True(limiter.WaitAsync(default).IsCompletedSuccessfully); // third start at t=4 s
        var fourth = limiter.WaitAsync(default).AsTask();
        var fifth = limiter.WaitAsync(default).AsTask();

        time.Advance(TimeSpan.FromSeconds(6) - TimeSpan.FromTicks(1));
        Assert.False(fourth.IsCompleted);
        time.Advance(TimeSpan.FromTicks(1)); // t=10 s: the first two starts leave the window
        await fourth.WaitAsync(TimeSpan.FromSeconds(10));
        await fifth.WaitAsync(TimeSpan.FromSeconds(10));

        var sixth = limiter.WaitAsync(default).AsTask();
        time.Advance(TimeSpan.FromSeconds(4) - TimeSpan.FromTicks(1));
        Assert.False(sixth.IsCompleted); // window (t≈4..14 s) still holds the starts at 4, 10, 10
        time.Advance(TimeSpan.FromTicks(1));
        await sixth.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task AWaitingStartCanBeCancelled()
    {
        var time = new FakeTimeProvider();
        using var limiter = new SlidingWindowStartLimiter(1, TimeSpan.FromMinutes(1), time);
        await limiter.WaitAsync(default);
        using var cts = new CancellationTokenSource();
        var waiting = limiter.WaitAsync(cts.Token).AsTask();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
    }

    [Fact]
    public async Task AddLlmGatewayBindsPerStepRoutesFromConfigurationAndCachesInTheObjectStore()
    {
        await using var gemini = new FakeGemini();
        await gemini.StartAsync();
        await using var ollama = new FakeOllama();
        await ollama.StartAsync();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LlmGateway:Backends:gemini:Kind"] = "Gemini",
            ["LlmGateway:Backends:gemini:BaseUrl"] = gemini.BaseUrl.AbsoluteUri,
            ["LlmGateway:Backends:gemini:ApiKey"] = gemini.ApiKey,
            ["LlmGateway:Backends:local:Kind"] = "Ollama",
            ["LlmGateway:Backends:local:BaseUrl"] = ollama.BaseUrl.AbsoluteUri,
            ["LlmGateway:Backends:local:MaxConcurrency"] = "2",
            ["LlmGateway:Default:Backend"] = "gemini",
            ["LlmGateway:Default:Model"] = "gemini-2.5-flash",
            ["LlmGateway:Steps:Synthesis:Backend"] = "local",
            ["LlmGateway:Steps:Synthesis:Model"] = "llama3.2",
            ["LlmGateway:Steps:Synthesis:MaxOutputTokens"] = "777",
        }).Build();
        var store = new InMemoryObjectStore();
        var services = new ServiceCollection().AddSingleton<IObjectStore>(store).AddLlmGateway(configuration);
        await using var provider = services.BuildServiceProvider();
        var gateway = provider.GetRequiredService<ILlmGateway>();

        var synthesis = await gateway.RunAsync(new LlmStepRequest(LlmStep.Synthesis, "Conclude."));
        var image = await gateway.RunAsync(new LlmStepRequest(LlmStep.Image, "Describe.", [TestMedia.Png()]));

        Assert.Equal(("local", "llama3.2"), (synthesis.Backend, synthesis.Model));
        Assert.Equal(777, ollama.Calls.Single().Parameters["num_predict"]!.GetValue<int>());
        Assert.Equal(("gemini", "gemini-2.5-flash"), (image.Backend, image.Model));
        Assert.Equal(2, store.Count);
        Assert.NotNull(provider.GetRequiredService<MerFactory.Llm.Prompts.PromptCatalog>().Template("synthesis.MERR.with_label"));
    }

    [Fact]
    public async Task TokenUsageAndLatencyAreExportedAsMetrics()
    {
        await using var server = new FakeOpenAi();
        await server.StartAsync();
        var name = TestGateway.UniqueName("openai");
        using var metrics = new MetricsRecorder(name);
        using var gateway = TestGateway.Create(TestGateway.Routing(name, TestGateway.Backend(LlmBackendKind.OpenAI, new Uri(server.BaseUrl, "v1/"), server.ApiKey), "gpt-4o"));

        await gateway.RunAsync(new LlmStepRequest(LlmStep.Image, "Describe.", [TestMedia.Png()]));

        Assert.Equal([135.0], metrics.Values("gen_ai.client.token.usage", "gen_ai.token.type", "input"));
        Assert.Equal([20.0], metrics.Values("gen_ai.client.token.usage", "gen_ai.token.type", "output"));
        Assert.Single(metrics.Values("gen_ai.client.operation.duration"));
        Assert.Single(metrics.Values("merfactory.llm.steps", "merfactory.llm.outcome", "completed"));
    }

    [Fact]
    public void BadCapabilityConfigurationFailsWhenTheGatewayIsBuilt()
    {
        var backend = new LlmBackendOptions { Kind = LlmBackendKind.Ollama, ModelCapabilities = { ["llava"] = "text,hologram" } };
        var routing = TestGateway.Routing("ollama", backend, "llava");
        var error = Assert.Throws<ArgumentException>(() => new LlmGateway(routing));
        Assert.Contains("hologram", error.Message);
    }
}
