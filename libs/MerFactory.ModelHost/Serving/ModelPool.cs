using MerFactory.ModelHost.Inference;
using MerFactory.ModelHost.Models;
using MerFactory.ModelHost.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MerFactory.ModelHost.Serving;

/// <summary>
/// Loaded models, least recently used first out (llama-server's router mode): at most <c>MaxLoadedModels</c> stay
/// in memory, one idle longer than <c>IdleTimeout</c> is unloaded, and a model in use (leased) is never unloaded.
/// Concurrent requests for a model that is loading share one load.
/// </summary>
public sealed partial class ModelPool : IDisposable
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _lock = new();
    private readonly ModelResolver _resolver;
    private readonly IModelLoader _loader;
    private readonly ModelHostOptions _options;
    private readonly TimeProvider _time;
    private readonly ModelHostMetrics _metrics;
    private readonly ILogger<ModelPool> _logger;
    private readonly ITimer _sweeper;

    public ModelPool(ModelResolver resolver, IModelLoader loader, IOptions<ModelHostOptions> options, TimeProvider time, ModelHostMetrics metrics, ILogger<ModelPool> logger)
    {
        _resolver = resolver;
        _loader = loader;
        _options = options.Value;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        var period = TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(1).Ticks, _options.IdleTimeout.Ticks / 4));
        _sweeper = time.CreateTimer(_ => UnloadIdle(), null, period, period);
    }

    /// <summary>Raised after a model was unloaded (LRU or idle), with its id.</summary>
    public event Action<string>? Unloaded;

    /// <summary>Models in memory with their modalities.</summary>
    public IReadOnlyList<(string Id, ModelModality Modalities)> Loaded
    {
        get
        {
            lock (_lock)
                return _entries.Values.Where(e => e.Loading.IsCompletedSuccessfully).Select(e => (e.Id, e.Loading.Result.Modalities)).ToList();
        }
    }

    /// <summary>The model, loading it if needed (evicting the least recently used idle ones beyond the maximum first).</summary>
    public async Task<ModelLease> AcquireAsync(string id, CancellationToken cancellationToken)
    {
        var definition = _resolver.Resolve(id);
        Entry entry;
        lock (_lock)
        {
            if (!_entries.TryGetValue(definition.Id, out entry!))
            {
                entry = new Entry(definition.Id, LoadAsync(definition));
                _entries[definition.Id] = entry;
            }
            entry.Leases++;
            entry.LastUsed = _time.GetTimestamp();
        }
        EvictBeyondMaximum();
        try
        {
            // A caller giving up does not cancel the load: others may be waiting for the same model.
            var model = await entry.Loading.WaitAsync(cancellationToken).ConfigureAwait(false);
            return new ModelLease(this, entry, model);
        }
        catch
        {
            lock (_lock)
            {
                entry.Leases--;
                if (entry.Loading.IsFaulted && _entries.TryGetValue(entry.Id, out var current) && current == entry) _entries.Remove(entry.Id);
            }
            throw;
        }
    }

    private async Task<LocalModel> LoadAsync(ModelDefinition definition)
    {
        await Task.Yield();
        var started = _time.GetTimestamp();
        var model = await _loader.LoadAsync(definition, CancellationToken.None).ConfigureAwait(false);
        var seconds = _time.GetElapsedTime(started).TotalSeconds;
        _metrics.LoadTime.Record(seconds, new KeyValuePair<string, object?>("model", definition.Id));
        LogLoaded(definition.Id, seconds, string.Join(",", model.Modalities.Names()));
        return model;
    }

    private void Release(Entry entry)
    {
        lock (_lock)
        {
            entry.Leases--;
            entry.LastUsed = _time.GetTimestamp();
        }
        EvictBeyondMaximum();
    }

    private void EvictBeyondMaximum()
    {
        var victims = new List<Entry>();
        lock (_lock)
        {
            var excess = _entries.Count - Math.Max(1, _options.MaxLoadedModels);
            foreach (var candidate in _entries.Values.Where(e => e.Leases == 0 && e.Loading.IsCompleted).OrderBy(e => e.LastUsed).Take(Math.Max(0, excess)).ToList())
            {
                _entries.Remove(candidate.Id);
                victims.Add(candidate);
            }
        }
        foreach (var victim in victims) Unload(victim, "least recently used");
    }

    /// <summary>Unloads models unused for longer than the idle time-out (run by a timer).</summary>
    public void UnloadIdle()
    {
        var victims = new List<Entry>();
        lock (_lock)
        {
            foreach (var entry in _entries.Values.Where(e => e.Leases == 0 && e.Loading.IsCompleted && _time.GetElapsedTime(e.LastUsed) >= _options.IdleTimeout).ToList())
            {
                _entries.Remove(entry.Id);
                victims.Add(entry);
            }
        }
        foreach (var victim in victims) Unload(victim, "idle");
    }

    private void Unload(Entry entry, string reason)
    {
        if (entry.Loading.IsCompletedSuccessfully) entry.Loading.Result.Dispose();
        _metrics.Unloads.Add(1, new KeyValuePair<string, object?>("reason", reason));
        LogUnloaded(entry.Id, reason);
        Unloaded?.Invoke(entry.Id);
    }

    public void Dispose()
    {
        _sweeper.Dispose();
        lock (_lock)
        {
            foreach (var entry in _entries.Values.Where(e => e.Loading.IsCompletedSuccessfully)) entry.Loading.Result.Dispose();
            _entries.Clear();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded model {Model} in {Seconds:0.###} s (takes {Modalities})")]
    private partial void LogLoaded(string model, double seconds, string modalities);

    [LoggerMessage(Level = LogLevel.Information, Message = "Unloaded model {Model} ({Reason})")]
    private partial void LogUnloaded(string model, string reason);

    private sealed class Entry(string id, Task<LocalModel> loading)
    {
        public string Id { get; } = id;
        public Task<LocalModel> Loading { get; } = loading;
        public int Leases { get; set; }
        public long LastUsed { get; set; }
    }

    /// <summary>A model in use; disposing it lets the pool unload the model again.</summary>
    public sealed class ModelLease : IDisposable
    {
        private readonly ModelPool _pool;
        private readonly Entry _entry;
        private int _released;

        internal ModelLease(ModelPool pool, object entry, LocalModel model)
        {
            _pool = pool;
            _entry = (Entry)entry;
            Model = model;
        }

        public LocalModel Model { get; }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) _pool.Release(_entry);
        }
    }
}
