using MerFactory.Evaluation.Evidence;

namespace MerFactory.Evaluation.Metrics;

/// <summary>Which modalities a record has (flag <c>missing_modality</c>) and whether its steps ran degraded (flag <c>degraded_step</c>).</summary>
public static class Coverage
{
    public static void Evaluate(RecordEvidence record, RecordEvaluation result)
    {
        var expected = Expected(record);
        var missing = expected.Where(m => !m.Present).Select(m => m.Name + (m.Reason is null ? "" : $" ({m.Reason})")).ToList();
        result.Set(MetricNames.ModalitiesPresent, expected.Count(m => m.Present));
        if (missing.Count > 0) result.Flag(FlagCodes.MissingModality, "missing: " + string.Join("; ", missing));

        if (record.Steps is not { } steps) { result.Null(MetricNames.DegradedSteps, record.MissingReason("steps", "no steps sidecar")); return; }
        var degraded = steps.Where(s => s.Degradation is not null || s.Status is "failed").ToList();
        result.Set(MetricNames.DegradedSteps, degraded.Count);
        foreach (var step in degraded)
            result.Flag(FlagCodes.DegradedStep, $"{step.Step}: {step.Degradation ?? step.Status}");
    }

    private static List<(string Name, bool Present, string? Reason)> Expected(RecordEvidence record)
    {
        var texts = record.Texts;
        var list = new List<(string, bool, string?)>();
        if (record.Kind is "mer" or "au" or "image") list.Add(("AU table", record.AuTable is not null, record.Missing.GetValueOrDefault("au_table")));
        if (record.Kind is "mer" or "audio") list.Add(("transcript", record.Speech is not null, record.Missing.GetValueOrDefault("transcript")));
        if (record.Kind is "mer" or "audio") list.Add(("audio description", texts.AudioAnalysis.Length > 0, null));
        if (record.Kind is "mer" or "video") list.Add(("video description", texts.VideoDescription.Length > 0, null));
        if (record.Kind is "mer" or "image") list.Add(("visual description", texts.VisualDescription.Length > 0, null));
        return list;
    }
}
