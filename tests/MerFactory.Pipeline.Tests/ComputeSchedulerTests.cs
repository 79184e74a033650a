using System.Collections.Concurrent;
using MerFactory.Compute;

namespace MerFactory.Pipeline.Tests;

public sealed class ComputeSchedulerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task EarlierOrdersRunFirstAndEqualOrdersInArrivalOrder()
    {
        var ran = await RunOrderAsync(("c", 30, ComputeClass.Bulk), ("a1", 10, ComputeClass.Bulk), ("b", 20, ComputeClass.Bulk), ("a2", 10, ComputeClass.Bulk));
        Assert.Equal(["a1", "a2", "b", "c"], ran);
    }

    [Fact]
    public async Task ClassesGoFirstThenFilesInOrder()
    {
        var ran = await RunOrderAsync(
            ("frames of file 1", 10, ComputeClass.Bulk), ("speech of file 2", 20, ComputeClass.Indivisible),
            ("speech of file 1", 10, ComputeClass.Indivisible), ("voice activity of file 3", 30, ComputeClass.Gating),
            ("frames of file 0", 5, ComputeClass.Bulk));
        Assert.Equal(["voice activity of file 3", "speech of file 1", "speech of file 2", "frames of file 0", "frames of file 1"], ran);
    }

    /// <summary>Queues the units behind a busy single thread, releases it, and returns the order they ran in.</summary>
    private static async Task<string[]> RunOrderAsync(params (string Name, long Order, ComputeClass Kind)[] queued)
    {
        using var scheduler = new ComputeScheduler(1);
        var ran = new ConcurrentQueue<string>();
        var gate = new ManualResetEventSlim();
        var blocker = await OccupyAsync(scheduler, gate);

        var units = new List<Task<bool>>();
        foreach (var (name, order, kind) in queued)
        {
            using (ComputeOrder.Begin(new QueuePlace(order)))
                units.Add(scheduler.RunAsync(kind, () => { ran.Enqueue(name); return true; }));
        }
        Assert.Equal(queued.Length, scheduler.Queued);
        gate.Set();
        await Task.WhenAll(units).WaitAsync(Patience);
        Assert.True(await blocker);
        return [.. ran];
    }

    [Fact]
    public async Task APlaceMovedUpWhileQueuedIsServedAtItsNewPlace()
    {
        using var scheduler = new ComputeScheduler(1);
        var ran = new ConcurrentQueue<string>();
        var gate = new ManualResetEventSlim();
        var blocker = await OccupyAsync(scheduler, gate);
        var late = new QueuePlace(50);
        Task<bool> lateUnit, earlyUnit;
        using (ComputeOrder.Begin(late)) lateUnit = scheduler.RunAsync(() => { ran.Enqueue("late"); return true; });
        using (ComputeOrder.Begin(new QueuePlace(40))) earlyUnit = scheduler.RunAsync(() => { ran.Enqueue("early"); return true; });

        late.MoveUpTo(10); // an earlier file now waits on this work
        late.MoveUpTo(60); // never moves back
        Assert.Equal(10, late.Order);
        gate.Set();
        await Task.WhenAll(lateUnit, earlyUnit).WaitAsync(Patience);
        await blocker;
        Assert.Equal(["late", "early"], ran);
    }

    [Fact]
    public async Task UnitsWithoutAnOrderQueueBehindFilesStartedBeforeThem()
    {
        using var scheduler = new ComputeScheduler(1);
        var ran = new ConcurrentQueue<string>();
        var gate = new ManualResetEventSlim();
        var blocker = await OccupyAsync(scheduler, gate);
        var fileStartedEarlier = new QueuePlace(ComputeOrder.Next());
        var unordered = scheduler.RunAsync(() => { ran.Enqueue("unordered"); return true; });
        Task<bool> ordered;
        using (ComputeOrder.Begin(fileStartedEarlier)) ordered = scheduler.RunAsync(() => { ran.Enqueue("file"); return true; });
        gate.Set();
        await Task.WhenAll(unordered, ordered).WaitAsync(Patience);
        await blocker;
        Assert.Equal(["file", "unordered"], ran);
    }

    [Fact]
    public async Task NoMoreUnitsRunAtOnceThanThreadsAndNoneOnThePool()
    {
        using var scheduler = new ComputeScheduler(2, "test-compute");
        var gate = new ManualResetEventSlim();
        var running = 0;
        var most = 0;
        var onPool = 0;
        var units = Enumerable.Range(0, 6).Select(_ => scheduler.RunAsync(() =>
        {
            var now = Interlocked.Increment(ref running);
            MerFactory.Testing.Peaks.RaiseTo(ref most, now);
            if (Thread.CurrentThread.IsThreadPoolThread || Thread.CurrentThread.Name?.StartsWith("test-compute", StringComparison.Ordinal) != true) Interlocked.Increment(ref onPool);
            gate.Wait(Patience);
            Interlocked.Decrement(ref running);
            return true;
        })).ToList();

        await WaitUntilAsync(() => scheduler.Running == 2);
        Assert.Equal(4, scheduler.Queued);
        gate.Set();
        await Task.WhenAll(units).WaitAsync(Patience);
        Assert.Equal(2, most);
        Assert.Equal(0, onPool);
    }

    [Fact]
    public async Task ACancelledQueuedUnitNeverRunsAndAFailingUnitFailsItsCaller()
    {
        using var scheduler = new ComputeScheduler(1);
        var gate = new ManualResetEventSlim();
        var blocker = await OccupyAsync(scheduler, gate);
        using var cancel = new CancellationTokenSource();
        var cancelledRan = false;
        var cancelled = scheduler.RunAsync(() => cancelledRan = true, cancel.Token);
        var failing = scheduler.RunAsync<int>(() => throw new InvalidDataException("bad frame"));
        var after = scheduler.RunAsync(() => 42);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        gate.Set();
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => failing);
        Assert.Equal("bad frame", error.Message);
        Assert.Equal(42, await after.WaitAsync(Patience));
        await blocker;
        Assert.False(cancelledRan);
    }

    [Fact]
    public async Task DisposingCancelsWhatIsStillQueued()
    {
        var scheduler = new ComputeScheduler(1);
        var gate = new ManualResetEventSlim();
        var blocker = await OccupyAsync(scheduler, gate);
        var queued = scheduler.RunAsync(() => 1);
        scheduler.Dispose();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued);
        gate.Set();
        Assert.True(await blocker.WaitAsync(Patience));
        Assert.Throws<ObjectDisposedException>(() => { _ = scheduler.RunAsync(() => 2); });
    }

    [Theory]
    [InlineData("638990000000000000", 638990000000000000L)]
    [InlineData(12L, 12L)]
    [InlineData("not a number", null)]
    [InlineData(null, null)]
    public void HeaderValuesParseLeniently(object? header, long? expected) => Assert.Equal(expected, ComputeOrder.Parse(header));

    [Fact]
    public void OrdersHandedOutOneAfterAnotherAlwaysIncrease()
    {
        var orders = Enumerable.Range(0, 1000).Select(_ => ComputeOrder.Next()).ToList();
        Assert.True(orders.Zip(orders.Skip(1)).All(pair => pair.Second > pair.First));
    }

    /// <summary>Keeps the scheduler's only thread busy until <paramref name="gate"/> opens, so later units queue.</summary>
    private static async Task<Task<bool>> OccupyAsync(ComputeScheduler scheduler, ManualResetEventSlim gate)
    {
        var blocker = scheduler.RunAsync(() => gate.Wait(Patience));
        await WaitUntilAsync(() => scheduler.Running == 1);
        return blocker;
    }

    internal static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached in time");
            await Task.Delay(5); // polling a condition with a deadline, not a timed wait
        }
    }
}
