using Microsoft.Extensions.Options;

namespace MerFactory.ModelHost.Serving;

/// <summary>
/// N generation slots and a bounded wait queue (llama-server's <c>--parallel</c>; vLLM answers 429 the same way):
/// a request takes a free slot, waits in the queue while it has room, or is refused so the client can back off.
/// A waiter that is cancelled leaves the queue; a lease released (also on cancellation) frees its slot at once.
/// </summary>
public sealed class SlotScheduler : IDisposable
{
    private readonly SemaphoreSlim _slots;
    private readonly int _queueLimit;
    private int _waiting;
    private int _busy;

    public SlotScheduler(IOptions<ModelHostOptions> options)
    {
        Slots = Math.Max(1, options.Value.Slots);
        _queueLimit = Math.Max(0, options.Value.QueueLimit);
        _slots = new SemaphoreSlim(Slots, Slots);
    }

    public int Slots { get; }
    public int Waiting => Volatile.Read(ref _waiting);
    public int Busy => Volatile.Read(ref _busy);

    /// <summary>Raised when a request starts waiting or leaves the queue (tests and metrics wait on it instead of polling).</summary>
    public event Action? Changed;

    /// <summary>A slot lease, or null when every slot is busy and the queue is full.</summary>
    public async Task<IDisposable?> TryAcquireAsync(CancellationToken cancellationToken)
    {
        if (!_slots.Wait(0))
        {
            if (Interlocked.Increment(ref _waiting) > _queueLimit)
            {
                Interlocked.Decrement(ref _waiting);
                return null;
            }
            Changed?.Invoke();
            try
            {
                await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Decrement(ref _waiting);
                Changed?.Invoke();
            }
        }
        Interlocked.Increment(ref _busy);
        Changed?.Invoke();
        return new Lease(this);
    }

    private void Release()
    {
        Interlocked.Decrement(ref _busy);
        _slots.Release();
        Changed?.Invoke();
    }

    public void Dispose() => _slots.Dispose();

    private sealed class Lease(SlotScheduler owner) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) owner.Release();
        }
    }
}
