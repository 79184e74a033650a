namespace MerFactory.Pipeline.Orchestration;

/// <summary>
/// The <c>--concurrency</c> slots of one job: at most that many files work at once, and a slot that frees up goes to
/// the earliest file waiting for one (files already under way come before files not started yet).
/// A file whose next step is identical work already under way for another file (same step, same inputs: a copy of
/// the same clip) gives its slot up while it waits, so copies do not hold slots doing nothing; that work then comes
/// back from the step cache.
/// </summary>
public sealed class FileSlots
{
    private readonly Lock _gate = new();
    private readonly PriorityQueue<TaskCompletionSource, long> _waiting = new();
    private readonly Dictionary<string, (FileLease Owner, Task Done)> _inFlight = new(StringComparer.Ordinal);
    private int _free;

    public FileSlots(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        _free = count;
    }

    /// <summary>Slots free right now (for tests and diagnostics).</summary>
    public int Free
    {
        get { lock (_gate) return _free; }
    }

    /// <summary>Waits for a slot; among waiters the lowest <paramref name="order"/> gets the next one.</summary>
    public Task AcquireAsync(long order, CancellationToken cancellationToken)
    {
        TaskCompletionSource waiter;
        lock (_gate)
        {
            if (_free > 0)
            {
                _free--;
                return Task.CompletedTask;
            }
            waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting.Enqueue(waiter, order);
        }
        if (cancellationToken.CanBeCanceled)
        {
            // A cancelled waiter stays queued; Release skips it (its TrySetResult fails).
            var registration = cancellationToken.Register(() => waiter.TrySetCanceled(cancellationToken));
            waiter.Task.ContinueWith(_ => registration.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        return waiter.Task;
    }

    /// <summary>Gives a slot back: to the earliest live waiter, else to the pool.</summary>
    public void Release()
    {
        lock (_gate)
        {
            while (_waiting.TryDequeue(out var waiter, out _))
            {
                if (waiter.TrySetResult()) return;
            }
            _free++;
        }
    }

    /// <summary>A lease for one file, which holds a slot from the start (the caller has acquired it).</summary>
    public FileLease Lease(long order) => new(this, order);

    /// <summary>The identical step another file is running, if any (a file never waits for itself).</summary>
    internal Task? RunningElsewhere(string key, FileLease asking)
    {
        lock (_gate)
        {
            return _inFlight.TryGetValue(key, out var entry) && entry.Owner != asking && !entry.Done.IsCompleted ? entry.Done : null;
        }
    }

    /// <summary>Marks <paramref name="key"/> as running for <paramref name="owner"/> until <paramref name="done"/> completes.</summary>
    internal void Running(string key, FileLease owner, Task done)
    {
        lock (_gate)
        {
            if (!_inFlight.TryGetValue(key, out var entry) || entry.Done.IsCompleted) _inFlight[key] = (owner, done);
        }
        done.ContinueWith(_ =>
        {
            lock (_gate)
            {
                if (_inFlight.TryGetValue(key, out var entry) && entry.Done == done) _inFlight.Remove(key);
            }
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}
