namespace MerFactory.Compute;

/// <summary>
/// Runs CPU-bound work units (AU frame chunks, speech chunks, voice activity, prosody, model loading) on its own
/// threads, one per core: by <see cref="ComputeClass"/> first, then lowest <see cref="ComputeOrder"/>, then first come
/// first served. Units without an order queue by the time they ask.
/// Own threads rather than the thread pool: long native calls (a speech chunk decodes for seconds) would otherwise
/// take the pool's few threads, and every async continuation in the process (LLM answers, messages, file I/O) would
/// wait for the pool to grow.
/// </summary>
public sealed class ComputeScheduler : IDisposable
{
    private readonly object _lock = new();
    // A list, not a heap: places can move up while their units wait, so the earliest is found when a thread frees up.
    // Queues hold tens of units.
    private readonly List<WorkItem> _queue = [];
    private readonly Thread[] _workers;
    private long _arrivals;
    private int _running;
    private bool _stopping;

    /// <param name="threads">Units run at once (the number of cores for CPU-bound work).</param>
    /// <param name="name">Thread name prefix, for debuggers and profiles.</param>
    public ComputeScheduler(int threads, string name = "compute")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        _workers = new Thread[threads];
        for (var i = 0; i < threads; i++)
        {
            _workers[i] = new Thread(Work) { IsBackground = true, Name = $"{name}-{i}" };
            _workers[i].Start();
        }
    }

    /// <summary>One scheduler per process: the cores are the process's to share.</summary>
    public static ComputeScheduler Shared { get; } = new(Environment.ProcessorCount);

    public int Threads => _workers.Length;

    /// <summary>Units queued and not started yet (for tests and diagnostics).</summary>
    public int Queued
    {
        get { lock (_lock) return _queue.Count; }
    }

    /// <summary>Units running now.</summary>
    public int Running
    {
        get { lock (_lock) return _running; }
    }

    /// <summary>
    /// Queues <paramref name="work"/> with the current <see cref="ComputeOrder"/> and completes with its result.
    /// Cancelling before the unit starts takes it out of the queue; a started unit runs to its end.
    /// </summary>
    public Task<T> RunAsync<T>(Func<T> work, CancellationToken cancellationToken = default) => RunAsync(ComputeClass.Bulk, work, cancellationToken);

    /// <inheritdoc cref="RunAsync{T}(Func{T}, CancellationToken)"/>
    /// <param name="kind">The unit's class: classes run in their order before files' orders are compared.</param>
    public Task<T> RunAsync<T>(ComputeClass kind, Func<T> work, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (cancellationToken.IsCancellationRequested) return Task.FromCanceled<T>(cancellationToken);
        var item = new WorkItem<T>(work, cancellationToken);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_stopping, this);
            item.Kind = kind;
            item.Place = ComputeOrder.CurrentPlace ?? new QueuePlace(ComputeOrder.Next());
            item.Arrival = _arrivals++;
            _queue.Add(item);
            Monitor.Pulse(_lock);
        }
        return item.Task;
    }

    private void Work()
    {
        while (true)
        {
            WorkItem item;
            lock (_lock)
            {
                while (_queue.Count == 0 && !_stopping) Monitor.Wait(_lock);
                if (_stopping) return;
                item = TakeEarliestLocked();
                _running++;
            }
            try
            {
                item.Run();
            }
            finally
            {
                lock (_lock) _running--;
            }
        }
    }

    /// <summary>Stops the threads after their current unit; queued units are cancelled.</summary>
    public void Dispose()
    {
        List<WorkItem> dropped;
        lock (_lock)
        {
            if (_stopping) return;
            _stopping = true;
            dropped = [.. _queue];
            _queue.Clear();
            Monitor.PulseAll(_lock);
        }
        foreach (var item in dropped) item.Cancel();
    }

    private WorkItem TakeEarliestLocked()
    {
        var best = 0;
        for (var i = 1; i < _queue.Count; i++)
        {
            if (_queue[i].RunsBefore(_queue[best])) best = i;
        }
        var item = _queue[best];
        _queue.RemoveAt(best);
        return item;
    }

    private abstract class WorkItem
    {
        public ComputeClass Kind { get; set; }

        public QueuePlace Place { get; set; } = null!;

        public long Arrival { get; set; }

        public bool RunsBefore(WorkItem other)
        {
            if (Kind != other.Kind) return Kind < other.Kind;
            var (order, otherOrder) = (Place.Order, other.Place.Order);
            return order != otherOrder ? order < otherOrder : Arrival < other.Arrival;
        }

        public abstract void Run();

        public abstract void Cancel();
    }

    private sealed class WorkItem<T> : WorkItem
    {
        private readonly Func<T> _work;
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly CancellationTokenRegistration _registration;
        private readonly CancellationToken _cancellationToken;

        public WorkItem(Func<T> work, CancellationToken cancellationToken)
        {
            _work = work;
            _cancellationToken = cancellationToken;
            // Cancelled while queued: the caller stops waiting at once; the worker skips the unit when it comes up.
            _registration = cancellationToken.Register(() => _completion.TrySetCanceled(cancellationToken));
        }

        public Task<T> Task => _completion.Task;

        public override void Run()
        {
            _registration.Dispose();
            if (_completion.Task.IsCompleted) return;
            try
            {
                _completion.TrySetResult(_work());
            }
            catch (OperationCanceledException e) when (e.CancellationToken == _cancellationToken && _cancellationToken.IsCancellationRequested)
            {
                _completion.TrySetCanceled(_cancellationToken);
            }
            catch (Exception e)
            {
                _completion.TrySetException(e);
            }
        }

        public override void Cancel()
        {
            _registration.Dispose();
            _completion.TrySetCanceled();
        }
    }
}
