namespace MerFactory.Evaluation;

/// <summary>How a cited cue stands against the measured evidence.</summary>
public enum CueStatus
{
    Supported,
    Unsupported,
    Contradicted,

    /// <summary>The evidence has no measure for it (e.g. an AU OpenFace does not estimate): not counted.</summary>
    Unmeasured,
}

/// <summary>One cue a text cites (an AU, a quote, a tone, a time), the evidence it was checked against, and the verdict.</summary>
/// <param name="Kind">au, quote, tone, time.</param>
/// <param name="Field">The record field the cue is in (final_summary, audio_analysis, ...).</param>
/// <param name="Text">The cited words.</param>
/// <param name="Target">What was checked: AU12, loud, 3.20 s, ...</param>
/// <param name="Evidence">The measured value it was checked against, in words.</param>
public sealed record CitedCue(string Kind, string Field, string Text, string Target, CueStatus Status, string Evidence);

/// <summary>A flag with a stable <see cref="Code"/> (<see cref="FlagCodes"/>) and a message naming the cue and the evidence.</summary>
public sealed record EvaluationFlag(string Code, string Message);

/// <summary>The evaluation of one record: every metric (null with a reason when its input is missing), flags and cited cues.</summary>
public sealed class RecordEvaluation
{
    /// <summary>Most cues kept per record: enough to show, bounded so a rambling text cannot bloat the sidecar.</summary>
    public const int MaxCues = 60;

    private readonly Dictionary<string, double?> _metrics = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _reasons = new(StringComparer.Ordinal);
    private readonly List<EvaluationFlag> _flags = [];
    private readonly List<CitedCue> _cues = [];

    public RecordEvaluation(string id, string kind)
    {
        Id = id;
        Kind = kind;
        foreach (var name in MetricNames.All) _metrics[name] = null;
    }

    public string Id { get; }
    public string Kind { get; }

    public IReadOnlyDictionary<string, double?> Metrics => _metrics;
    public IReadOnlyDictionary<string, string> Reasons => _reasons;
    public IReadOnlyList<EvaluationFlag> Flags => _flags;
    public IReadOnlyList<CitedCue> Cues => _cues;

    public double? this[string metric] => _metrics[metric];

    public void Set(string metric, double value)
    {
        if (!_metrics.ContainsKey(metric)) throw new ArgumentException($"Unknown metric '{metric}'.", nameof(metric));
        _metrics[metric] = Math.Round(value, 4);
        _reasons.Remove(metric);
    }

    /// <summary>Leaves <paramref name="metric"/> null and says why; the first reason given stays.</summary>
    public void Null(string metric, string reason)
    {
        if (!_metrics.ContainsKey(metric)) throw new ArgumentException($"Unknown metric '{metric}'.", nameof(metric));
        _metrics[metric] = null;
        _reasons.TryAdd(metric, reason);
    }

    public void Flag(string code, string message) => _flags.Add(new EvaluationFlag(code, message));

    public void Cue(CitedCue cue)
    {
        if (_cues.Count < MaxCues) _cues.Add(cue);
    }

    public bool HasFlag(string code) => _flags.Any(f => f.Code == code);

    /// <summary>The distinct flag codes, in <see cref="FlagCodes.All"/> order.</summary>
    public IReadOnlyList<string> FlagCodesRaised => [.. FlagCodes.All.Where(HasFlag)];
}
