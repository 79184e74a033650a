using System.Collections.Concurrent;
using System.Diagnostics;

namespace MerFactory.Testing;

/// <summary>
/// Listens, as the service defaults' OpenTelemetry tracing does, to MerFactory's activity sources and MassTransit's,
/// samples everything and keeps the activities that start in this process.
/// </summary>
public sealed class ActivityRecorder : IDisposable
{
    private readonly ConcurrentQueue<Activity> _started = new();
    private readonly ActivityListener _listener;

    public ActivityRecorder()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name.StartsWith("MerFactory.", StringComparison.Ordinal) || source.Name == "MassTransit",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStarted = _started.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>Activities of <paramref name="source"/> named <paramref name="operation"/> whose tag <paramref name="tag"/> is <paramref name="value"/>.</summary>
    public IReadOnlyList<Activity> Find(string source, string operation, string tag, string value) =>
        _started.Where(a => a.Source.Name == source && a.OperationName == operation && Equals(a.GetTagItem(tag) as string, value)).ToList();

    public void Dispose() => _listener.Dispose();
}
