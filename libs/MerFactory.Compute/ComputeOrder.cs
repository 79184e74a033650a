namespace MerFactory.Compute;

/// <summary>
/// The place of the current work in the machine's queue for CPU: the start of the file it belongs to. Earlier files
/// go first, so a file's AU and speech work finish early and its LLM calls overlap the next files' CPU work, instead
/// of every file in flight sharing the cores and all of them finishing last.
/// The orchestrator sets it when a file starts; it travels with step requests as a message header
/// (<see cref="Header"/>) and the step consumers restore it, so the order holds across services.
/// </summary>
public static class ComputeOrder
{
    /// <summary>Message header carrying the order (invariant decimal text) with a step request.</summary>
    public const string Header = "MerFactory-Compute-Order";

    private static readonly AsyncLocal<QueuePlace?> Ambient = new();
    private static long _last;

    /// <summary>The order of the work running in this async flow, or null outside any file.</summary>
    public static long? Current => Ambient.Value?.Order;

    /// <summary>The place behind <see cref="Current"/> (it may move up while the work runs).</summary>
    public static QueuePlace? CurrentPlace => Ambient.Value;

    /// <summary>
    /// A new order: now (UTC ticks), strictly after every order handed out before in this process, so files
    /// started one after another keep their sequence and orders from different machines compare by time.
    /// </summary>
    public static long Next()
    {
        while (true)
        {
            var last = Interlocked.Read(ref _last);
            var next = Math.Max(DateTime.UtcNow.Ticks, last + 1);
            if (Interlocked.CompareExchange(ref _last, next, last) == last) return next;
        }
    }

    /// <summary>Makes <paramref name="place"/> current for this async flow until the scope is disposed.</summary>
    public static Scope Begin(QueuePlace? place)
    {
        var previous = Ambient.Value;
        Ambient.Value = place;
        return new Scope(previous);
    }

    /// <summary>Restores the previous place.</summary>
    public readonly struct Scope(QueuePlace? previous) : IDisposable
    {
        public void Dispose() => Ambient.Value = previous;
    }

    /// <summary>Header text for an order.</summary>
    public static string Format(long order) => order.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Reads a header value; anything unreadable means "no order" (the work then queues by arrival).</summary>
    public static long? Parse(object? header) => header switch
    {
        long value => value,
        int value => value,
        string text when long.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value) => value,
        _ => null,
    };
}
