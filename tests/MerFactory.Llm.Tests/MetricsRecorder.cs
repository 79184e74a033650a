using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using MerFactory.Llm.Telemetry;

namespace MerFactory.Llm.Tests;

/// <summary>Listens to the "MerFactory.Llm" meter, keeping measurements tagged with one backend name.</summary>
public sealed class MetricsRecorder : IDisposable
{
    private readonly MeterListener _listener = new();

    public MetricsRecorder(string backend)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == LlmTelemetry.Name) listener.EnableMeasurementEvents(instrument);
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var dict = new Dictionary<string, object?>();
            foreach (var tag in tags) dict[tag.Key] = tag.Value;
            if (Equals(dict.GetValueOrDefault("merfactory.llm.backend"), backend)) Measurements.Enqueue((instrument.Name, value, dict));
        }
        _listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        _listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        _listener.Start();
    }

    public ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)> Measurements { get; } = new();

    public IEnumerable<double> Values(string instrument, string? tag = null, object? tagValue = null) =>
        Measurements.Where(m => m.Instrument == instrument && (tag is null || Equals(m.Tags.GetValueOrDefault(tag), tagValue))).Select(m => m.Value);

    public void Dispose() => _listener.Dispose();
}
