namespace MerFactory.Pipeline.Orchestration;

/// <summary>
/// One file's hold on a job slot. The file keeps its slot while any of its steps runs, and between steps; it lets
/// the slot go only when every step it has under way waits for another file's identical step, and takes a slot again
/// (ahead of files not started yet) before its next step runs.
/// </summary>
public sealed class FileLease : IDisposable
{
    private static readonly AsyncLocal<FileLease?> Ambient = new();
    private readonly FileSlots _slots;
    private readonly Lock _gate = new();
    private bool _held = true;
    private Task? _acquiring;
    private int _running;
    private int _waiting;
    private bool _disposed;

    internal FileLease(FileSlots slots, long order)
    {
        _slots = slots;
        Order = order;
    }

    /// <summary>The lease of the file this async flow works for, or null outside a job's file.</summary>
    public static FileLease? Current => Ambient.Value;

    /// <summary>The file's place: a lower order gets a freed slot first.</summary>
    public long Order { get; }

    /// <summary>Whether the file holds a slot right now.</summary>
    public bool HoldsSlot
    {
        get { lock (_gate) return _held; }
    }

    /// <summary>Makes this lease current for the file's async flow until the scope is disposed.</summary>
    public Scope Begin()
    {
        var previous = Ambient.Value;
        Ambient.Value = this;
        return new Scope(previous);
    }

    public readonly struct Scope(FileLease? previous) : IDisposable
    {
        public void Dispose() => Ambient.Value = previous;
    }

    /// <summary>
    /// Runs one step under the lease, in a slot. <paramref name="key"/> names the work (step and inputs, without the file):
    /// while another file runs the same key, this file waits for it first, holding no slot unless another of its steps
    /// runs. Work without a key (LLM calls) never waits for another file.
    /// </summary>
    public async Task<T> RunAsync<T>(string? key, Func<Task<T>> step, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (key is not null)
        {
            while (_slots.RunningElsewhere(key, this) is { } other)
            {
                await WaitForOtherAsync(other, cancellationToken).ConfigureAwait(false);
            }
            _slots.Running(key, this, done.Task);
        }
        try
        {
            await EnterAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await step().ConfigureAwait(false);
            }
            finally
            {
                Leave();
            }
        }
        finally
        {
            done.TrySetResult();
        }
    }

    private async Task WaitForOtherAsync(Task other, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _waiting++;
            ReleaseIfIdle();
        }
        try
        {
            // The other file's outcome is its own: this file only waits for the work to stop running.
            await other.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lock (_gate) _waiting--;
        }
    }

    private async Task EnterAsync(CancellationToken cancellationToken)
    {
        Task acquiring;
        TaskCompletionSource? acquisition = null;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _running++;
            if (_held) return;
            if (_acquiring is null)
            {
                acquisition = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _acquiring = acquisition.Task;
            }
            acquiring = _acquiring;
        }
        // Started outside the lock: a free slot completes the acquisition at once, and that takes the lock.
        if (acquisition is not null) _ = AcquireAsync(acquisition);
        try
        {
            await acquiring.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            lock (_gate) _running--;
            throw;
        }
    }

    /// <summary>One slot request for the whole file, however many of its steps wait for it; not cancellable, so a granted slot is never lost.</summary>
    private async Task AcquireAsync(TaskCompletionSource acquisition)
    {
        await _slots.AcquireAsync(Order, CancellationToken.None).ConfigureAwait(false);
        var disposed = false;
        lock (_gate)
        {
            _acquiring = null;
            if (_disposed) disposed = true;
            else _held = true;
        }
        if (disposed) _slots.Release();
        acquisition.SetResult();
    }

    private void Leave()
    {
        lock (_gate)
        {
            _running--;
            ReleaseIfIdle();
        }
    }

    /// <summary>Called under the lock: nothing of this file runs and something waits for another file.</summary>
    private void ReleaseIfIdle()
    {
        if (_held && _running == 0 && _waiting > 0)
        {
            _held = false;
            _slots.Release();
        }
    }

    /// <summary>The file is done: its slot, if held, goes to the next file.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            if (!_held) return;
            _held = false;
        }
        _slots.Release();
    }
}
