namespace MerFactory.Evaluation.Reports;

/// <summary>Running statistics of one metric: count, mean, range, nulls by reason, and (for bounded metrics) a histogram.</summary>
public sealed class MetricStatistics(string name, double? histogramMax)
{
    public const int Bins = 10;

    public string Name { get; } = name;
    public int Count { get; private set; }
    public double Sum { get; private set; }
    public double Min { get; private set; } = double.PositiveInfinity;
    public double Max { get; private set; } = double.NegativeInfinity;
    public int Nulls { get; private set; }
    public double? HistogramMax { get; } = histogramMax;
    public int[] Histogram { get; } = new int[Bins];
    public Dictionary<string, int> NullReasons { get; } = new(StringComparer.Ordinal);

    public double? Mean => Count == 0 ? null : Sum / Count;

    /// <summary>Distinct reasons kept per metric; reasons carry record ids only rarely, so few distinct ones exist.</summary>
    private const int MaxReasons = 20;

    public void Add(double? value, string? reason)
    {
        if (value is not { } v)
        {
            Nulls++;
            if (reason is not null && (NullReasons.ContainsKey(reason) || NullReasons.Count < MaxReasons)) NullReasons[reason] = NullReasons.GetValueOrDefault(reason) + 1;
            return;
        }
        Count++;
        Sum += v;
        Min = Math.Min(Min, v);
        Max = Math.Max(Max, v);
        if (HistogramMax is { } top) Histogram[Math.Clamp((int)(v / top * Bins), 0, Bins - 1)]++;
    }
}

/// <summary>A record among the worst: its score, flags and cited cues, for the report.</summary>
public sealed record WorstRecord(string Id, double Composite, IReadOnlyList<EvaluationFlag> Flags, IReadOnlyList<CitedCue> Cues);

/// <summary>
/// The dataset summary, built one record at a time in constant memory: metric statistics, flag counts, the label hit
/// rate and a bounded list of the worst records.
/// </summary>
public sealed class EvaluationSummary(int worstKept = 10)
{
    /// <summary>Metrics plotted as distributions, with their upper bound.</summary>
    public static IReadOnlyDictionary<string, double> Plotted { get; } = new Dictionary<string, double>(StringComparer.Ordinal)
    {
        [MetricNames.CompositeScore] = 100, [MetricNames.AuSupportRate] = 1, [MetricNames.FacsConsistency] = 1,
        [MetricNames.QuoteSupportRate] = 1, [MetricNames.ToneSupportRate] = 1, [MetricNames.TimeInRangeRate] = 1,
        [MetricNames.EmotionAgreementF1] = 1, [MetricNames.TranscriptWer] = 1, [MetricNames.Distinct2] = 1, [MetricNames.RepetitionRate] = 1,
    };

    private readonly PriorityQueue<WorstRecord, (double, int)> _worst = new(); // highest score at the head, so it leaves first

    public int Records { get; private set; }
    public int FlaggedRecords { get; private set; }
    public Dictionary<string, int> FlagCounts { get; } = FlagCodes.All.ToDictionary(c => c, _ => 0, StringComparer.Ordinal);
    public Dictionary<string, MetricStatistics> Metrics { get; } =
        MetricNames.All.ToDictionary(n => n, n => new MetricStatistics(n, Plotted.TryGetValue(n, out var max) ? max : null), StringComparer.Ordinal);
    public List<string> Errors { get; } = [];
    public int ErrorCount { get; private set; }

    public void Add(RecordEvaluation evaluation)
    {
        Records++;
        var codes = evaluation.FlagCodesRaised;
        if (codes.Count > 0) FlaggedRecords++;
        foreach (var code in codes) FlagCounts[code] = FlagCounts.GetValueOrDefault(code) + 1;
        foreach (var (name, value) in evaluation.Metrics) Metrics[name].Add(value, evaluation.Reasons.GetValueOrDefault(name));
        if (evaluation[MetricNames.CompositeScore] is not { } score || worstKept <= 0) return;
        var priority = (-score, codes.Count);
        if (_worst.Count < worstKept) _worst.Enqueue(new WorstRecord(evaluation.Id, score, evaluation.Flags, evaluation.Cues), priority);
        else if (_worst.TryPeek(out _, out var best) && (-score, codes.Count).CompareTo(best) > 0)
            _worst.EnqueueDequeue(new WorstRecord(evaluation.Id, score, evaluation.Flags, evaluation.Cues), priority);
    }

    /// <summary>A record that could not be evaluated (e.g. malformed analysis JSON); the first few are kept with details.</summary>
    public void AddError(string id, string message)
    {
        ErrorCount++;
        if (Errors.Count < 50) Errors.Add($"{id}: {message}");
    }

    /// <summary>The worst records, lowest composite first (more flags first on ties).</summary>
    public IReadOnlyList<WorstRecord> Worst => [.. _worst.UnorderedItems.OrderBy(w => w.Element.Composite).ThenByDescending(w => w.Element.Flags.Count).Select(w => w.Element)];

    /// <summary>MER-UniBench's hit rate: the share of labelled records whose concluded emotion is the label's group.</summary>
    public double? LabelHitRate => Metrics[MetricNames.LabelHit].Mean;
}
