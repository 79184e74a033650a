using System.Diagnostics;
using MassTransit;
using MerFactory.Contracts;
using MerFactory.Contracts.Media;
using MerFactory.Pipeline.Orchestration;
using MerFactory.Storage;
using MerFactory.Testing;
using Microsoft.Extensions.DependencyInjection;
using MerFactory.Steps;

namespace MerFactory.Distributed.Tests;

public sealed class MediaExtractOverRabbitMqTests(DistributedFixture fixture) : IClassFixture<DistributedFixture>
{
    [Fact]
    public async Task AStepRequestMakesARoundTripToTheMediaExtractServiceOverRabbitMq()
    {
        using var service = fixture.StartMediaExtract();
        try
        {
            using var client = await fixture.StartClientAsync();
            using var store = fixture.CreateStore();
            var source = await UploadAsync(store, SharedData.DataPath("media", "pyfeat", "single_face.mp4"));

            var response = await client.Services.GetRequiredService<StepClient>().RequestAsync(new ProbeMedia(Guid.NewGuid(), "single_face", source), CancellationToken.None);

            var probe = response.Response;
            Assert.True(probe.HasVideo);
            Assert.True(probe.HasAudio);
            Assert.InRange(probe.DurationSeconds, 2.0, 3.0);
            Assert.NotNull(await store.StatAsync($"artifacts/probe/{response.StepKey}/manifest.json"));
            await client.StopAsync();
        }
        finally
        {
            service.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task KillingTheServiceMidJobLosesAndDuplicatesNothing()
    {
        using var store = fixture.CreateStore();
        var source = await UploadAsync(store, SharedData.DataPath("media", "openface_samples", "default.wmv"));
        using var client = await fixture.StartClientAsync();
        var requests = client.Services.GetRequiredService<StepClient>();

        var first = fixture.StartMediaExtract();
        // Every frame of the 19 s clip: long enough to be killed in the middle of it.
        var frames = requests.RequestAsync(new SampleFrames(Guid.NewGuid(), "default", source, 0), CancellationToken.None);
        var audio = requests.RequestAsync(new ExtractAudio(Guid.NewGuid(), "default", source), CancellationToken.None);
        await WaitUntilAsync(async () => await AnyObjectAsync(store, "artifacts/sample-frames/") || frames.IsCompleted, TimeSpan.FromMinutes(2));
        first.Kill(entireProcessTree: true);
        await first.WaitForExitAsync();

        using var second = fixture.StartMediaExtract();
        try
        {
            var framesDone = await frames.WaitAsync(TimeSpan.FromMinutes(4));
            var audioDone = await audio.WaitAsync(TimeSpan.FromMinutes(4));

            var result = framesDone.Response;
            Assert.Equal(288, result.Frames.Count);
            var stored = new List<ObjectInfo>();
            await foreach (var o in store.ListAsync($"artifacts/sample-frames/{framesDone.StepKey}/")) stored.Add(o);
            Assert.Equal(288 + 1, stored.Count); // the frames and one manifest, however many times the step ran
            Assert.Equal(stored.Count, stored.Select(o => o.Key).Distinct().Count());
            Assert.NotNull(audioDone.Response.Wav);

            // A redelivered or repeated request is answered from the committed artifact.
            var again = await requests.RequestAsync(new SampleFrames(Guid.NewGuid(), "default", source, 0), CancellationToken.None);
            Assert.True(again.FromCache);
            Assert.Equal(framesDone.StepKey, again.StepKey);
        }
        finally
        {
            second.Kill(entireProcessTree: true);
            await client.StopAsync();
        }
    }

    private static async Task<ObjectReference> UploadAsync(IObjectStore store, string path)
    {
        await using var file = File.OpenRead(path);
        var info = await store.PutAsync($"inputs/{Guid.NewGuid():N}{Path.GetExtension(path)}", file);
        return new ObjectReference(store.Bucket, info.Key, info.Size, info.Sha256!);
    }

    private static async Task<bool> AnyObjectAsync(IObjectStore store, string prefix)
    {
        await foreach (var _ in store.ListAsync(prefix)) return true;
        return false;
    }

    /// <summary>Polls a condition (the service's progress is only visible through the store).</summary>
    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > timeout) throw new TimeoutException("condition not met in " + timeout);
            await Task.Delay(50);
        }
    }
}
