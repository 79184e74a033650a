using System.Collections.Concurrent;
using MassTransit;
using MerFactory.Compute;
using MerFactory.Contracts;
using MerFactory.Contracts.Media;
using MerFactory.Jobs.Messaging;
using MerFactory.Jobs.Steps;
using MerFactory.Storage;
using Microsoft.Extensions.DependencyInjection;
using MerFactory.Steps;

namespace MerFactory.Pipeline.Tests;

/// <summary>A file's place in the CPU queue travels with its step requests and is lent to identical work already running.</summary>
public sealed class StepOrderTests : IAsyncLifetime
{
    private readonly string _store = Directory.CreateTempSubdirectory("mf-order-").FullName;
    private readonly Probe _probe = new();
    private InMemoryStepHost _host = null!;

    public async Task InitializeAsync() => _host = await InMemoryStepHost.StartAsync(_store, services =>
    {
        services.AddSingleton(_probe);
        services.AddMerFactoryMessaging(new MessagingOptions { Transport = "InMemory", RetryLimit = 0 },
            (bus, options) => bus.AddConsumer<PlaceRecordingConsumer>().Endpoint(e => e.Name = options.QueueName(StepQueues.For<ProbeMedia>())));
        services.AddSingleton<StepClient>();
    });

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_store, recursive: true);
    }

    [Fact]
    public async Task TheSendersPlaceReachesTheStepAsAPlaceOfItsOwn()
    {
        _probe.Release.TrySetResult();
        var client = _host.Services.GetRequiredService<StepClient>();
        var sender = new QueuePlace(123_456);
        using (ComputeOrder.Begin(sender))
        {
            await client.RequestAsync(new ProbeMedia(Guid.NewGuid(), "clip", Source("a")), CancellationToken.None);
        }
        Assert.True(_probe.Places.TryDequeue(out var seen));
        Assert.NotNull(seen);
        Assert.Equal(123_456, seen.Order);
        // Its own place: moving it (an earlier file waiting on it) must not reorder the sender's other work.
        Assert.NotSame(sender, seen);
    }

    [Fact]
    public async Task AnEarlierFileWaitingForIdenticalWorkMovesThatWorkUp()
    {
        var client = _host.Services.GetRequiredService<StepClient>();
        var source = Source("same-clip");
        Task<StepCompleted<MediaProbed>> later, earlier;
        using (ComputeOrder.Begin(new QueuePlace(2_000)))
            later = client.RequestAsync(new ProbeMedia(Guid.NewGuid(), "copy", source), CancellationToken.None);
        await _probe.Started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(_probe.Places.TryPeek(out var running));
        Assert.Equal(2_000, running!.Order);

        using (ComputeOrder.Begin(new QueuePlace(1_000)))
            earlier = client.RequestAsync(new ProbeMedia(Guid.NewGuid(), "original", source), CancellationToken.None);
        await ComputeSchedulerTests.WaitUntilAsync(() => running.Order == 1_000);

        _probe.Release.TrySetResult();
        var first = await later.WaitAsync(TimeSpan.FromSeconds(30));
        var second = await earlier.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(first.FromCache);
        Assert.True(second.FromCache); // answered from the running request's manifest, not run again
        Assert.Single(_probe.Places);
    }

    private static ObjectReference Source(string name) => new("test", $"inputs/{name}", 1, new string('a', 64));

    public sealed class Probe
    {
        public ConcurrentQueue<QueuePlace?> Places { get; } = new();

        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>A step that records the CPU queue place it runs with and holds until released.</summary>
    public sealed class PlaceRecordingConsumer(ArtifactStore artifacts, Probe probe) : StepConsumer<ProbeMedia, MediaProbed>(artifacts)
    {
        protected override IEnumerable<ObjectReference> Inputs(ProbeMedia request) => [request.Source];

        protected override async Task<MediaProbed> ExecuteAsync(ProbeMedia request, StepWorkspace workspace, CancellationToken cancellationToken)
        {
            probe.Places.Enqueue(ComputeOrder.CurrentPlace);
            probe.Started.TrySetResult();
            await probe.Release.Task.WaitAsync(cancellationToken);
            return new MediaProbed(1, 25, true, false, 2, 2, 0, "test", []);
        }
    }
}
