using MerFactory.Evaluation.Evidence;
using MerFactory.Evaluation.Lexicon;
using MerFactory.Evaluation.Text;
using MerFactory.Facs.Analysis;

namespace MerFactory.Evaluation.Metrics;

/// <summary>
/// Emotion agreement through the lexicon (<see cref="EmotionLexicon"/>): the concluded emotion against the FACS peaks
/// (consistency and contradiction), against each modality's emotion words (set-level F1, as MER-UniBench scores), and
/// against the label (hit at group and wheel level, F1).
/// </summary>
public static class EmotionAgreement
{
    public static void Evaluate(RecordEvidence record, RecordEvaluation result, EmotionLexicon lexicon)
    {
        var concluded = ConcludedGroups(record.Texts.FinalSummary, lexicon);
        var noConclusion = record.Texts.FinalSummary.Length == 0 ? $"the {record.Kind} record has no synthesis" : "the summary names no emotion the lexicon knows in its concluding sentence";
        FacsConsistency(record, result, lexicon, concluded, noConclusion);
        ModalityAgreement(record, result, lexicon, concluded, noConclusion);
        LabelAgreement(record, result, lexicon, concluded, noConclusion);
    }

    /// <summary>The groups of the concluded state, else of the whole concluding sentence; empty without one.</summary>
    public static IReadOnlySet<string> ConcludedGroups(string summary, EmotionLexicon lexicon)
    {
        if (Conclusion.StatedEmotion(summary) is { } state && lexicon.GroupsIn(state) is { Count: > 0 } groups) return groups;
        return Conclusion.Sentence(summary) is { } sentence ? lexicon.GroupsIn(sentence) : new HashSet<string>();
    }

    /// <summary>FACS emotions of the record: its stated peaks, else the rules applied at the overall peak row.</summary>
    public static IReadOnlySet<string> FacsGroups(RecordEvidence record, EmotionLexicon lexicon)
    {
        var groups = new HashSet<string>(StringComparer.Ordinal);
        foreach (var peak in record.EmotionPeaks)
        {
            var colon = peak.IndexOf(':', StringComparison.Ordinal);
            if (colon >= 0) groups.UnionWith(lexicon.GroupsIn(peak[(colon + 1)..]));
        }
        if (groups.Count == 0 && record.EmotionPeaks.Count == 0 && record.AuTable is { Count: > 0 } table && record.OverallPeakSeconds is { } at)
            groups.UnionWith(EmotionRules.AnalyzeAtPeak(table, AuEvidence.NearestRow(table, at), AuGrounding.ActiveThreshold).Select(e => e.Emotion));
        groups.Remove("neutral");
        return groups;
    }

    private static void FacsConsistency(RecordEvidence record, RecordEvaluation result, EmotionLexicon lexicon, IReadOnlySet<string> concluded, string noConclusion)
    {
        if (concluded.Count == 0) { result.Null(MetricNames.FacsConsistency, noConclusion); return; }
        if (record.EmotionPeaks.Count == 0 && record.AuTable is null) { result.Null(MetricNames.FacsConsistency, record.MissingReason("au_table", "no FACS peaks")); return; }
        var facs = FacsGroups(record, lexicon);
        if (facs.Count == 0) { result.Null(MetricNames.FacsConsistency, "the FACS peaks show no emotion (neutral)"); return; }
        result.Set(MetricNames.FacsConsistency, concluded.Count(facs.Contains) / (double)concluded.Count);
        var concludedValences = Valences(concluded, lexicon);
        var facsValences = Valences(facs, lexicon);
        var opposite = concludedValences.Count > 0 && facsValences.Count > 0
                       && concludedValences.All(v => facsValences.All(f => IsOpposite(v, f)));
        if (opposite)
            result.Flag(FlagCodes.ContradictedEmotion, $"the summary concludes {string.Join("/", concluded)} ({string.Join("/", concludedValences)}), the FACS peaks show {string.Join(", ", facs)} ({string.Join("/", facsValences)})");
    }

    private static void ModalityAgreement(RecordEvidence record, RecordEvaluation result, EmotionLexicon lexicon, IReadOnlySet<string> concluded, string noConclusion)
    {
        if (concluded.Count == 0) { result.Null(MetricNames.EmotionAgreementF1, noConclusion); return; }
        var modalities = new List<IReadOnlySet<string>>
        {
            lexicon.GroupsIn(record.Texts.FacialDescription + "\n" + record.Texts.VisualDescription),
            lexicon.GroupsIn(record.Texts.AudioAnalysis),
            lexicon.GroupsIn(record.Texts.VideoDescription),
            FacsGroups(record, lexicon),
        };
        var scored = modalities.Where(m => m.Count > 0).Select(m => F1(m, concluded)).ToList();
        if (scored.Count == 0) result.Null(MetricNames.EmotionAgreementF1, "no modality text names an emotion");
        else result.Set(MetricNames.EmotionAgreementF1, scored.Average());
    }

    private static void LabelAgreement(RecordEvidence record, RecordEvaluation result, EmotionLexicon lexicon, IReadOnlySet<string> concluded, string noConclusion)
    {
        string[] metrics = [MetricNames.LabelHit, MetricNames.LabelWheelHit, MetricNames.LabelF1];
        if (record.Label is not { Length: > 0 } label) { foreach (var m in metrics) result.Null(m, "no label (no --label-file entry, no ground_truth_label)"); return; }
        if (lexicon.LookupPhrase(label) is not { } gold) { foreach (var m in metrics) result.Null(m, $"label '{label}' is not in the emotion lexicon"); return; }
        if (concluded.Count == 0) { foreach (var m in metrics) result.Null(m, noConclusion); return; }
        result.Set(MetricNames.LabelHit, concluded.Contains(gold.Name) ? 1 : 0);
        result.Set(MetricNames.LabelWheelHit, concluded.Any(g => lexicon.Groups[g].Wheel == gold.Wheel) ? 1 : 0);
        result.Set(MetricNames.LabelF1, F1(concluded, new HashSet<string> { gold.Name }));
    }

    /// <summary>Set-level F1 of <paramref name="predicted"/> against <paramref name="reference"/>.</summary>
    public static double F1(IReadOnlySet<string> predicted, IReadOnlySet<string> reference)
    {
        var hits = predicted.Count(reference.Contains);
        if (hits == 0) return 0;
        double precision = hits / (double)predicted.Count, recall = hits / (double)reference.Count;
        return 2 * precision * recall / (precision + recall);
    }

    private static HashSet<string> Valences(IEnumerable<string> groups, EmotionLexicon lexicon) =>
        [.. groups.Select(g => lexicon.Groups[g].Valence).Where(v => v is "positive" or "negative")];

    private static bool IsOpposite(string a, string b) => a != b;
}
