using System.Reflection;
using System.Text.Json;
using MerFactory.Contracts;
using MerFactory.Contracts.Au;
using MerFactory.Contracts.Media;
using MerFactory.Jobs.Steps;
using MerFactory.Steps;
using MerFactory.Steps.Au;
using MerFactory.Steps.Llm;
using MerFactory.Steps.Media;
using MerFactory.Steps.Speech;
using MerFactory.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace MerFactory.Pipeline.Tests;

/// <summary>Typed step contracts: one name and one response type per request, one consumer per step, typed manifests.</summary>
public sealed class StepContractTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mf-contracts-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static readonly Type[] Requests = [.. typeof(IStepRequest).Assembly.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IStepRequest).IsAssignableFrom(t))];

    private static readonly Type[] Consumers =
    [
        .. new[] { typeof(MediaStepsRegistration), typeof(AuStepsRegistration), typeof(SpeechStepsRegistration), typeof(LlmStepsRegistration) }
            .SelectMany(t => t.Assembly.GetTypes())
            .Where(t => t is { IsClass: true, IsAbstract: false } && StepConsumerBase(t) is not null),
    ];

    private static Type? StepConsumerBase(Type type)
    {
        for (var t = type.BaseType; t is not null; t = t.BaseType)
            if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(StepConsumer<,>)) return t;
        return null;
    }

    [Fact]
    public void EveryStepRequestHasExactlyOneNameAndOneResponseType()
    {
        Assert.Equal(9, Requests.Length);
        foreach (var request in Requests)
        {
            Assert.Single(request.GetCustomAttributes<StepAttribute>());
            Assert.Single(StepNames.ResponseTypes(request));
        }
        var names = Requests.Select(StepNames.Of).ToList();
        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
        Assert.All(names, n => Assert.Matches("^[a-z][a-z-]*$", n));
    }

    [Fact]
    public void EveryStepRequestHasExactlyOneConsumerAnsweringItsDeclaredResponse()
    {
        foreach (var request in Requests)
        {
            var consumers = Consumers.Where(c => StepConsumerBase(c)!.GetGenericArguments()[0] == request).ToList();
            var consumer = Assert.Single(consumers);
            Assert.Equal(StepNames.ResponseTypes(request)[0], StepConsumerBase(consumer)!.GetGenericArguments()[1]);
        }
    }

    [Fact]
    public void AStepsQueueIsItsDeclaredName()
    {
        Assert.Equal("extract-audio", StepQueues.For<ExtractAudio>());
        Assert.Equal("au-extract", StepQueues.For<ExtractActionUnits>());
        Assert.Equal("llm", StepQueues.For<Contracts.Llm.RunLlmStep>());
    }

    [Fact]
    public async Task TheManifestStoresTheTypedResponseAndReadsItBack()
    {
        var store = new FileSystemObjectStore(_root);
        var writer = new ArtifactStore(store);
        var document = await writer.PutOutputAsync("facs-analysis", "k1", "au_analysis.json", new MemoryStream("{}"u8.ToArray()), "application/json", CancellationToken.None);
        var response = new FacialExpressionAnalyzed(["happy", "sad"], "AU12 (Lip Corner Puller)", 42, 1.68,
            new Dictionary<string, double> { ["AU12"] = 2.5 }, "Neutral expression.", true, document);
        await writer.CommitAsync(new StepManifest<FacialExpressionAnalyzed>("facs-analysis", "k1", DateTimeOffset.UtcNow, response, [document], 0.5, null), CancellationToken.None);

        // Another process (a new ArtifactStore) reads it from the store, typed.
        var read = await new ArtifactStore(store).TryGetManifestAsync<FacialExpressionAnalyzed>("facs-analysis", "k1", CancellationToken.None);
        Assert.NotNull(read);
        Assert.Equal(JsonSerializer.Serialize(response), JsonSerializer.Serialize(read.Response));
        var json = JsonDocument.Parse(await File.ReadAllTextAsync(store.GetLocalPath(ArtifactStore.ManifestKey("facs-analysis", "k1")))).RootElement;
        Assert.Equal(42, json.GetProperty("response").GetProperty("peakFrameNumber").GetInt32());
        Assert.Equal(document.Key, json.GetProperty("response").GetProperty("document").GetProperty("key").GetString());

        // An output gone from the store: the manifest is not trusted and the step runs again.
        File.Delete(store.GetLocalPath(document.Key));
        Assert.Null(await new ArtifactStore(store).TryGetManifestAsync<FacialExpressionAnalyzed>("facs-analysis", "k1", CancellationToken.None));
    }

    [Fact]
    public async Task AManifestOfTheOldUntypedShapeIsNotAnAnswer()
    {
        var store = new FileSystemObjectStore(_root);
        var legacy = """{"step":"probe","key":"k0","completedAt":"2026-01-01T00:00:00Z","outputs":{},"resultJson":"{}","durationSeconds":1}""";
        await store.PutAsync(ArtifactStore.ManifestKey("probe", "k0"), new MemoryStream(System.Text.Encoding.UTF8.GetBytes(legacy)), "application/json");
        Assert.Null(await new ArtifactStore(store).TryGetManifestAsync<MediaProbed>("probe", "k0", CancellationToken.None));
    }

    [Fact]
    public async Task AMediaStepAnswersTypedOnceAndFromItsManifestAfter()
    {
        await using var host = await InMemoryStepHost.StartAsync(_root, services =>
        {
            services.AddMediaSteps();
            services.AddStepMessaging(new Jobs.Messaging.MessagingOptions { Transport = "InMemory", RetryLimit = 0 });
        });
        var provider = host.Services;
        var store = provider.GetRequiredService<IObjectStore>();
        var bytes = await File.ReadAllBytesAsync(Testing.SharedData.DataPath("media", "openface_samples", "default.wmv"));
        var info = await store.PutAsync("inputs/default.wmv", new MemoryStream(bytes), "video/x-ms-wmv");
        var source = new ObjectReference(store.Bucket, info.Key, info.Size, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)));
        var client = provider.GetRequiredService<StepClient>();

        var first = await client.RequestAsync(new ExtractFrame(Guid.NewGuid(), "default", source, 0.5), CancellationToken.None);
        var again = await client.RequestAsync(new ExtractFrame(Guid.NewGuid(), "default", source, 0.5), CancellationToken.None);

        Assert.Equal("extract-frame", first.Step);
        Assert.False(first.FromCache);
        Assert.True(again.FromCache);
        Assert.Equal(first.Response, again.Response);
        Assert.Equal("image/png", first.Response.Frame.ContentType);
        Assert.Equal(first.Response.Frame.Size, (await store.StatAsync(first.Response.Frame.Key))!.Size);
        var manifest = await new ArtifactStore(store).TryGetManifestAsync<FrameExtracted>("extract-frame", first.StepKey, CancellationToken.None);
        Assert.Equal(first.Response, manifest!.Response);
        Assert.Equal([first.Response.Frame], manifest.Outputs);
    }
}
