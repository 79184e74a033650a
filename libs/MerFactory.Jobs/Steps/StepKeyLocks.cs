using MerFactory.Compute;

namespace MerFactory.Jobs.Steps;

/// <summary>
/// One execution at a time per step key within a process: when identical requests arrive together (copies of a clip,
/// a redelivery racing the original), the second waits and is answered from the first one's manifest instead of
/// repeating the work. Entries live only while someone holds or waits for them.
/// The running request takes the earliest CPU queue place of all requests for its key, so an earlier file waiting
/// for a later file's identical work does not wait behind the files in between.
/// </summary>
internal static class StepKeyLocks
{
    private static readonly Dictionary<string, Entry> Entries = new(StringComparer.Ordinal);

    public static async Task<IDisposable> AcquireAsync(string key, QueuePlace? place, CancellationToken cancellationToken)
    {
        Entry entry;
        lock (Entries)
        {
            if (!Entries.TryGetValue(key, out entry!)) Entries[key] = entry = new Entry();
            entry.Users++;
            if (place is not null)
            {
                entry.Earliest = Math.Min(entry.Earliest, place.Order);
                entry.Holder?.MoveUpTo(entry.Earliest);
            }
        }
        try
        {
            await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            lock (Entries)
            {
                entry.Holder = place;
                place?.MoveUpTo(entry.Earliest);
            }
        }
        catch
        {
            Release(key, entry, held: false);
            throw;
        }
        return new Lease(() => Release(key, entry, held: true));
    }

    private static void Release(string key, Entry entry, bool held)
    {
        if (held)
        {
            lock (Entries) entry.Holder = null;
            entry.Gate.Release();
        }
        lock (Entries)
        {
            if (--entry.Users == 0)
            {
                Entries.Remove(key);
                entry.Gate.Dispose();
            }
        }
    }

    private sealed class Entry
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);
        public int Users;
        public QueuePlace? Holder;
        public long Earliest = long.MaxValue;
    }

    private sealed class Lease(Action release) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) release();
        }
    }
}
