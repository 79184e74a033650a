using System.Diagnostics.Metrics;

namespace MerFactory.ModelHost.Telemetry;

/// <summary>OpenTelemetry instruments of the model host (meter <see cref="MeterName"/>; service defaults export it).</summary>
public sealed class ModelHostMetrics : IDisposable
{
    public const string MeterName = "MerFactory.ModelHost";
    private readonly Meter _meter;

    public ModelHostMetrics(IMeterFactory factory)
    {
        _meter = factory.Create(MeterName);
        TokensPerSecond = _meter.CreateHistogram<double>("merfactory.model_host.tokens_per_second", "{token}/s", "Completion tokens per second of generation, per request.");
        CompletionTokens = _meter.CreateCounter<long>("merfactory.model_host.completion_tokens", "{token}", "Tokens generated.");
        PromptTokens = _meter.CreateCounter<long>("merfactory.model_host.prompt_tokens", "{token}", "Prompt tokens evaluated.");
        LoadTime = _meter.CreateHistogram<double>("merfactory.model_host.load_time", "s", "Time to load a model.");
        QueueWait = _meter.CreateHistogram<double>("merfactory.model_host.queue_wait", "s", "Time a request waited for a slot.");
        Rejected = _meter.CreateCounter<long>("merfactory.model_host.rejected", "{request}", "Requests answered 429 because the queue was full.");
        Unloads = _meter.CreateCounter<long>("merfactory.model_host.unloads", "{model}", "Models unloaded (LRU or idle).");
    }

    public Histogram<double> TokensPerSecond { get; }
    public Counter<long> CompletionTokens { get; }
    public Counter<long> PromptTokens { get; }
    public Histogram<double> LoadTime { get; }
    public Histogram<double> QueueWait { get; }
    public Counter<long> Rejected { get; }
    public Counter<long> Unloads { get; }

    /// <summary>Queue length, busy slots and loaded models, read when the exporter collects.</summary>
    public void Observe(Func<int> queueLength, Func<int> busySlots, Func<int> loadedModels)
    {
        _meter.CreateObservableGauge("merfactory.model_host.queue_length", queueLength, "{request}", "Requests waiting for a slot.");
        _meter.CreateObservableGauge("merfactory.model_host.busy_slots", busySlots, "{slot}", "Slots generating.");
        _meter.CreateObservableGauge("merfactory.model_host.loaded_models", loadedModels, "{model}", "Models in memory.");
    }

    public void Dispose() => _meter.Dispose();
}
