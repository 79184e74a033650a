namespace MerFactory.Testing;

/// <summary>Peak counters that many threads update: "how many at once, at most".</summary>
public static class Peaks
{
    /// <summary>Raises <paramref name="target"/> to <paramref name="value"/> if it is higher, atomically.</summary>
    public static void RaiseTo(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current) return;
            current = seen;
        }
    }
}
