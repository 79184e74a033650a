namespace MerFactory.Export.Sources;

/// <summary>Checks every source applies, so a record read from a folder and from a CSV is judged alike.</summary>
internal static class RecordChecks
{
    /// <summary>The text a training example is built from, per type (spec §8.4's assistant content).</summary>
    public static string TrainingTarget(ExportRecord record) => record.FileType switch
    {
        ExportFileType.Mer or ExportFileType.Image => record.FinalSummary,
        ExportFileType.Video => record.LlmVideoSummary,
        ExportFileType.Audio => record.AudioAnalysis,
        ExportFileType.Au => string.Join("; ", record.ChronologicalEmotionPeaks),
        _ => throw new ArgumentOutOfRangeException(nameof(record)),
    };

    public static string TargetFieldName(ExportFileType type) => type switch
    {
        ExportFileType.Mer or ExportFileType.Image => "final_summary",
        ExportFileType.Video => "llm_video_summary",
        ExportFileType.Audio => "audio_analysis",
        ExportFileType.Au => "chronological_emotion_peaks",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>
    /// A record without its target text, or whose target is a backend error MER-Factory stored as content
    /// (spec §14.3), would teach the model nothing or the wrong thing: it is skipped with the reason.
    /// </summary>
    public static bool HasTrainingTarget(ExportRecord record, ExportReport report)
    {
        var target = TrainingTarget(record);
        var field = TargetFieldName(record.FileType);
        if (string.IsNullOrWhiteSpace(target))
        {
            report.Skip(record.Id, record.Origin, $"'{field}' is missing or empty: nothing to train on");
            return false;
        }
        if (target.StartsWith("Error:", StringComparison.OrdinalIgnoreCase) || target.StartsWith("Error ", StringComparison.Ordinal))
        {
            report.Skip(record.Id, record.Origin, $"'{field}' holds a backend error message instead of an analysis");
            return false;
        }
        return true;
    }
}
