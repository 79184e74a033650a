using System.Collections.Concurrent;
using MerFactory.Contracts;
using MerFactory.Contracts.Au;
using MerFactory.Contracts.Llm;
using MerFactory.Contracts.Media;
using MerFactory.Pipeline.Orchestration;

namespace MerFactory.Pipeline.Tests;

/// <summary>
/// <c>--concurrency</c> slots: never more files at work than slots, freed slots go to the earliest file, and a copy
/// waiting for identical work another file is doing holds no slot meanwhile.
/// </summary>
public sealed class FileSlotsTests
{
    [Fact]
    public async Task AFreedSlotGoesToTheEarliestWaitingFile()
    {
        var slots = new FileSlots(1);
        await slots.AcquireAsync(0, CancellationToken.None);
        var late = slots.AcquireAsync(5, CancellationToken.None);
        var early = slots.AcquireAsync(2, CancellationToken.None);

        slots.Release();
        Assert.True(early.IsCompletedSuccessfully);
        Assert.False(late.IsCompleted);
        slots.Release();
        Assert.True(late.IsCompletedSuccessfully);
        Assert.Equal(0, slots.Free);
    }

    [Fact]
    public async Task ACancelledWaiterIsPassedOverAndGetsNoSlot()
    {
        var slots = new FileSlots(1);
        await slots.AcquireAsync(0, CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var cancelled = slots.AcquireAsync(1, cancel.Token);
        var next = slots.AcquireAsync(2, CancellationToken.None);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        slots.Release();
        Assert.True(next.IsCompletedSuccessfully);
        slots.Release();
        Assert.Equal(1, slots.Free);
    }

    [Fact]
    public async Task ACopyWaitsForTheIdenticalStepWithoutItsSlotThenRunsItItself()
    {
        var (slots, first, copy) = await TwoFilesAtWorkAsync();
        using var firstFile = first;
        using var copyFile = copy;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var log = new ConcurrentQueue<string>();

        var firstStep = first.RunAsync("au-extract|clip", async () =>
        {
            log.Enqueue("first started");
            await release.Task;
            log.Enqueue("first finished");
            return 1;
        }, CancellationToken.None);
        var copyStep = copy.RunAsync("au-extract|clip", () =>
        {
            log.Enqueue("copy ran");
            return Task.FromResult(2);
        }, CancellationToken.None);

        // The copy gave its slot up: another file can start now.
        Assert.False(copyStep.IsCompleted);
        Assert.False(copy.HoldsSlot);
        Assert.Equal(1, slots.Free);

        release.SetResult();
        Assert.Equal(1, await firstStep);
        Assert.Equal(2, await copyStep);
        Assert.Equal(["first started", "first finished", "copy ran"], log);
        Assert.True(copy.HoldsSlot);
        Assert.Equal(0, slots.Free);
    }

    [Fact]
    public async Task EveryStepOfACopyRunsInASlotHoweverOftenItWaited()
    {
        var (slots, first, copy) = await TwoFilesAtWorkAsync();
        using var copyFile = copy;
        var inSlot = new ConcurrentQueue<bool>();
        Task<int> CopyStep(string key) => copy.RunAsync(key, () =>
        {
            inSlot.Enqueue(copy.HoldsSlot);
            return Task.FromResult(0);
        }, CancellationToken.None);

        // First wait: the slot is still free when the copy wakes, so it takes it back at once.
        var probe = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstProbe = first.RunAsync("probe|clip", () => probe.Task, CancellationToken.None);
        var copyProbe = CopyStep("probe|clip");
        Assert.Equal(1, slots.Free);
        probe.SetResult(0);
        await firstProbe;
        await copyProbe;

        // Second wait: meanwhile another file takes the freed slot, so the copy must wait for one.
        var au = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstAu = first.RunAsync("au|clip", () => au.Task, CancellationToken.None);
        var copyAu = CopyStep("au|clip");
        Assert.Equal(1, slots.Free);
        await slots.AcquireAsync(7, CancellationToken.None);
        au.SetResult(0);
        await firstAu;
        first.Dispose(); // its slot goes to the copy
        await copyAu;

        Assert.Equal([true, true], inSlot);
        Assert.True(copy.HoldsSlot);
        Assert.Equal(0, slots.Free);
    }

    [Fact]
    public async Task AFileKeepsItsSlotWhileAnotherOfItsStepsRuns()
    {
        var (slots, first, copy) = await TwoFilesAtWorkAsync();
        using var firstFile = first;
        using var copyFile = copy;
        var firstRelease = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var llmRelease = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);

        var firstAu = first.RunAsync("au-extract|clip", () => firstRelease.Task, CancellationToken.None);
        var copyLlm = copy.RunAsync(null, () => llmRelease.Task, CancellationToken.None);
        var copyAu = copy.RunAsync("au-extract|clip", () => Task.FromResult(7), CancellationToken.None);

        Assert.False(copyAu.IsCompleted);
        Assert.True(copy.HoldsSlot); // its LLM call is still under way
        Assert.Equal(0, slots.Free);

        llmRelease.SetResult(3);
        Assert.Equal(3, await copyLlm);
        // Now nothing of the copy runs and it only waits for the other file: the slot goes.
        Assert.False(copy.HoldsSlot);
        Assert.Equal(1, slots.Free);

        firstRelease.SetResult(1);
        await firstAu;
        Assert.Equal(7, await copyAu);
    }

    [Fact]
    public async Task WorkWithoutAKeyNeverWaitsForAnotherFile()
    {
        var (_, first, second) = await TwoFilesAtWorkAsync();
        using var firstFile = first;
        using var secondFile = second;
        var release = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);

        var running = first.RunAsync(null, () => release.Task, CancellationToken.None);
        Assert.Equal(5, await second.RunAsync(null, () => Task.FromResult(5), CancellationToken.None));
        Assert.False(running.IsCompleted);
        release.SetResult(0);
        await running;
    }

    [Fact]
    public async Task ManyCopiesNeverHaveMoreFilesAtWorkThanSlots()
    {
        const int slotCount = 3, files = 24;
        var slots = new FileSlots(slotCount);
        var atWork = new ConcurrentDictionary<int, int>();
        var peak = 0;
        var gate = new Lock();
        var runs = new ConcurrentDictionary<string, int>();

        async Task Step(FileLease lease, int file, string? key)
        {
            await lease.RunAsync(key, async () =>
            {
                lock (gate)
                {
                    atWork.AddOrUpdate(file, 1, (_, n) => n + 1);
                    peak = Math.Max(peak, atWork.Count);
                }
                if (key is not null) runs.AddOrUpdate(key, 1, (_, n) => n + 1);
                // Long enough for other files' identical steps to find this one under way.
                for (var k = 0; k < 50; k++) await Task.Yield();
                lock (gate)
                {
                    if (atWork.AddOrUpdate(file, 0, (_, n) => n - 1) == 0) atWork.TryRemove(file, out _);
                }
                return 0;
            }, CancellationToken.None);
        }

        var started = new List<Task>();
        for (var i = 0; i < files; i++)
        {
            await slots.AcquireAsync(i, CancellationToken.None);
            var lease = slots.Lease(i);
            var file = i;
            started.Add(Task.Run(async () =>
            {
                using (lease)
                {
                    // Two distinct clips in turn (more copies than slots), each file with branches like the MER graph.
                    var clip = file % 2;
                    await Task.WhenAll(Step(lease, file, $"probe|{clip}"), Step(lease, file, null));
                    await Task.WhenAll(Step(lease, file, $"au|{clip}"), Step(lease, file, $"frames|{clip}"), Step(lease, file, null));
                }
            }));
        }
        await Task.WhenAll(started);

        Assert.InRange(peak, 1, slotCount);
        Assert.Equal(slotCount, slots.Free);
        Assert.Equal(6, runs.Count);
        Assert.Equal(3 * files, runs.Values.Sum());
    }

    /// <summary>Two slots, both taken by files 0 and 1 as the job's dispatcher does it.</summary>
    private static async Task<(FileSlots Slots, FileLease First, FileLease Second)> TwoFilesAtWorkAsync()
    {
        var slots = new FileSlots(2);
        await slots.AcquireAsync(0, CancellationToken.None);
        var first = slots.Lease(0);
        await slots.AcquireAsync(1, CancellationToken.None);
        return (slots, first, slots.Lease(1));
    }

    [Fact]
    public void TheWorkKeyLeavesOutTheFileAndNamesEverythingElse()
    {
        var source = new ObjectReference("b", "inputs/abc.mp4", 10, "abc");
        var job = Guid.NewGuid();
        var a = StepRunner.WorkKey(new ExtractActionUnits(job, "clip_a", source, false, 0, false));
        var b = StepRunner.WorkKey(new ExtractActionUnits(Guid.NewGuid(), "clip_b", source, false, 0, false));
        var other = StepRunner.WorkKey(new ExtractActionUnits(job, "clip_a", source, false, 5, false));

        Assert.NotNull(a);
        Assert.Equal(a, b);
        Assert.NotEqual(a, other);
        Assert.NotEqual(a, StepRunner.WorkKey(new ProbeMedia(job, "clip_a", source)));
        Assert.Null(StepRunner.WorkKey(new RunLlmStep(job, "clip_a", "image", "describe", [source], null, null)));
    }
}
