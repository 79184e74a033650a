using MerFactory.Llm.Caching;
using MerFactory.Llm.Routing;
using MerFactory.Llm.Tests.Fakes;

namespace MerFactory.Llm.Tests;

public sealed class CacheTests : IAsyncLifetime
{
    private readonly FakeGemini _server = new();
    private readonly InMemoryObjectStore _store = new();

    public async Task InitializeAsync() => await _server.StartAsync();
    public async Task DisposeAsync() => await _server.DisposeAsync();

    private LlmGateway Gateway(string model = "gemini-2.5-flash", float? temperature = null)
    {
        var routing = TestGateway.Routing("gemini", TestGateway.Backend(LlmBackendKind.Gemini, _server.BaseUrl, _server.ApiKey), model);
        routing.Default!.Temperature = temperature;
        return TestGateway.Create(routing, _store);
    }

    private static LlmStepRequest Request(MediaAttachment image, string prompt = "Describe the image.") => new(LlmStep.Image, prompt, [image]);

    [Fact]
    public async Task AnIdenticalSecondRunMakesNoBackendCall()
    {
        var image = await TestMedia.Jpeg();
        using (var first = Gateway()) await first.RunAsync(Request(image));
        // A new gateway (another process or a redelivery) shares the object store.
        using var second = Gateway();
        var again = await second.RunAsync(Request(await TestMedia.Jpeg()));

        Assert.Equal(1, _server.ModelRequests);
        Assert.True(again.Cached);
        Assert.Equal(0, again.Attempts);
        Assert.Single(_server.Calls.Single().Media);
        Assert.Equal("Gemini gemini-2.5-flash read 1 text part(s) and 1 media part(s): image/jpeg.", again.Text);
        Assert.Equal(new LlmUsage(358, 42), again.Usage);
        Assert.Single(_store.Keys, k => k.StartsWith("llm-cache/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ChangingModelParameterPromptOrAMediaByteEachMakesExactlyOneCall()
    {
        var image = await TestMedia.Jpeg();
        var bytes = image.Content.ToArray();
        bytes[^3] ^= 0x01; // one byte inside the JPEG, before its end marker
        var changedImage = MediaAttachment.FromBytes(bytes, "single_face.jpg", "image/jpeg");

        var variants = new (string Name, Func<LlmGateway> Gateway, LlmStepRequest Request)[]
        {
            ("baseline", () => Gateway(), Request(image)),
            ("model", () => Gateway(model: "gemini-2.5-pro"), Request(image)),
            ("parameter", () => Gateway(temperature: 0.7f), Request(image)),
            ("prompt", () => Gateway(), Request(image, "Describe the image!")),
            ("media byte", () => Gateway(), Request(changedImage)),
        };
        foreach (var (name, create, request) in variants)
        {
            var before = _server.ModelRequests;
            using var gateway = create();
            var first = await gateway.RunAsync(request);
            var second = await gateway.RunAsync(request);
            Assert.True(_server.ModelRequests == before + 1, $"changing the {name} should make exactly one call");
            Assert.False(first.Cached, name);
            Assert.True(second.Cached, name);
        }
        Assert.Equal(5, _store.Count);
    }

    [Fact]
    public async Task ADegradedAnswerIsCachedWithItsDegradation()
    {
        var backend = TestGateway.Backend(LlmBackendKind.Gemini, _server.BaseUrl, _server.ApiKey);
        backend.ModelCapabilities["gemini-2.5-flash"] = "text,image";
        using var gateway = TestGateway.Create(TestGateway.Routing("gemini", backend, "gemini-2.5-flash"), _store);
        var request = new LlmStepRequest(LlmStep.Video, "Describe.", [await TestMedia.Mp4()], TestMedia.Evidence());

        await gateway.RunAsync(request);
        var cached = await gateway.RunAsync(request);

        Assert.True(cached.Cached);
        Assert.Equal(DegradationKind.VideoAsFrames, cached.Degradation.Kind);
        Assert.Equal(1, _server.ModelRequests);
    }

    [Fact]
    public async Task ADamagedEntryIsAMissAndIsReplaced()
    {
        var image = await TestMedia.Jpeg();
        using var gateway = Gateway();
        await gateway.RunAsync(Request(image));
        var key = _store.Keys.Single();
        await _store.PutAsync(key, new MemoryStream("{ not json"u8.ToArray()));

        var result = await gateway.RunAsync(Request(image));

        Assert.False(result.Cached);
        Assert.Equal(2, _server.ModelRequests);
        var cache = new ObjectStoreLlmResponseCache(_store);
        Assert.NotNull(await cache.TryGetAsync(key[(key.LastIndexOf('/') + 1)..^".json".Length], default));
    }
}
