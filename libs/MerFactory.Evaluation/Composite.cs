namespace MerFactory.Evaluation;

/// <summary>
/// The composite score, 0–100: a weighted mean of the components whose inputs exist. A missing component is left out
/// and its weight with it (never scored as a default); <c>composite_coverage</c> is the share of weight that was used.
/// Weights (sum 1): grounding in the measured evidence first, text style last.
/// <list type="bullet">
/// <item>AU support rate 0.20 — cited facial cues are in the AU table</item>
/// <item>FACS consistency 0.15 — the concluded emotion matches the FACS peaks</item>
/// <item>quote support 0.10, tone support 0.10 — quoted speech and tone claims match transcript and prosody</item>
/// <item>transcript agreement 0.10 — 1 − min(1, WER)</item>
/// <item>time in range 0.10 — cited times within the clip</item>
/// <item>emotion agreement 0.10 — modalities' emotion words agree with the conclusion (set F1)</item>
/// <item>style 0.10 — clamp(0.5·distinct-1 + 0.5·distinct-2 − repetition) (evaluate.py's style term)</item>
/// <item>conclusion 0.05 — the required concluding sentence is present</item>
/// </list>
/// </summary>
public static class Composite
{
    public static IReadOnlyList<(string Component, double Weight)> Weights { get; } =
    [
        (MetricNames.AuSupportRate, 0.20),
        (MetricNames.FacsConsistency, 0.15),
        (MetricNames.QuoteSupportRate, 0.10),
        (MetricNames.ToneSupportRate, 0.10),
        ("transcript_agreement", 0.10),
        (MetricNames.TimeInRangeRate, 0.10),
        (MetricNames.EmotionAgreementF1, 0.10),
        ("style", 0.10),
        (MetricNames.ConclusionPresent, 0.05),
    ];

    public static void Evaluate(RecordEvaluation result)
    {
        double sum = 0, used = 0;
        foreach (var (component, weight) in Weights)
        {
            if (Component(result, component) is not { } value) continue;
            sum += weight * Math.Clamp(value, 0, 1);
            used += weight;
        }
        if (used == 0)
        {
            result.Null(MetricNames.CompositeScore, "no component of the composite could be computed");
            result.Null(MetricNames.CompositeCoverage, "no component of the composite could be computed");
            return;
        }
        result.Set(MetricNames.CompositeScore, 100 * sum / used);
        result.Set(MetricNames.CompositeCoverage, used);
    }

    private static double? Component(RecordEvaluation result, string component) => component switch
    {
        "transcript_agreement" => result[MetricNames.TranscriptWer] is { } wer ? 1 - Math.Min(1, wer) : null,
        "style" => result[MetricNames.Distinct1] is { } d1 && result[MetricNames.Distinct2] is { } d2 && result[MetricNames.RepetitionRate] is { } rep
            ? Math.Clamp(0.5 * d1 + 0.5 * d2 - rep, 0, 1) : null,
        _ => result[component],
    };
}
