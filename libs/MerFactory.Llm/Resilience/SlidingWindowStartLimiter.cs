namespace MerFactory.Llm.Resilience;

/// <summary>
/// Admits at most <c>permits</c> request starts in any sliding window of <c>window</c> length — exactly, unlike
/// segment-based limiters, which can admit up to twice the limit across a segment boundary. Providers count
/// requests-per-minute this way, so an exact limiter is what avoids their 429s.
/// </summary>
public sealed class SlidingWindowStartLimiter : IDisposable
{
    private readonly int _permits;
    private readonly TimeSpan _window;
    private readonly TimeProvider _time;
    private readonly Queue<long> _starts = new();
    // Held while waiting, so waiters are admitted in arrival order.
    private readonly SemaphoreSlim _turn = new(1, 1);

    public SlidingWindowStartLimiter(int permits, TimeSpan window, TimeProvider? timeProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(permits, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        _permits = permits;
        _window = window;
        _time = timeProvider ?? TimeProvider.System;
    }

    public async ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (true)
            {
                var now = _time.GetTimestamp();
                while (_starts.Count > 0 && _time.GetElapsedTime(_starts.Peek(), now) >= _window) _starts.Dequeue();
                if (_starts.Count < _permits)
                {
                    _starts.Enqueue(now);
                    return;
                }
                var wait = _window - _time.GetElapsedTime(_starts.Peek(), now);
                await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.FromMilliseconds(1), _time, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _turn.Release();
        }
    }

    public void Dispose() => _turn.Dispose();
}
