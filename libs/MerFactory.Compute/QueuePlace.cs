namespace MerFactory.Compute;

/// <summary>
/// A file's place in the machine's CPU queue (see <see cref="ComputeOrder"/>). It only moves forward: when an earlier
/// file waits for identical work that a later file started (a copy of the same clip), the work takes the earlier
/// file's place, including its units already queued.
/// </summary>
public sealed class QueuePlace(long order)
{
    private long _order = order;

    public long Order => Interlocked.Read(ref _order);

    /// <summary>Moves this place up to <paramref name="order"/> if that is earlier; never moves it back.</summary>
    public void MoveUpTo(long order)
    {
        var current = Interlocked.Read(ref _order);
        while (order < current)
        {
            var seen = Interlocked.CompareExchange(ref _order, order, current);
            if (seen == current) return;
            current = seen;
        }
    }

    public override string ToString() => Order.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
