using MerFactory.Export;

namespace MerFactory.Dashboard.Records;

/// <summary>A text field of a record: its dotted JSON path in the analysis JSON, and whether an LLM wrote it.</summary>
public sealed record FieldSpec(string Key, string Label, bool FromLlm, Func<ExportRecord, string, ExportRecord> ApplyToExport);

/// <summary>
/// The editable text fields of each record type (schemas/*.schema.json) and where an edit lands in an export record.
/// </summary>
public static class RecordFields
{
    private const string Coarse = "coarse_descriptions_at_peak.";

    private static readonly IReadOnlyDictionary<ExportFileType, IReadOnlyList<FieldSpec>> ByType = new Dictionary<ExportFileType, IReadOnlyList<FieldSpec>>
    {
        [ExportFileType.Mer] =
        [
            new(Coarse + "visual_expression", "Facial expression (FACS)", true, (r, v) => r with { VisualExpression = v }),
            new(Coarse + "visual_objective", "Peak frame", true, (r, v) => r with { VisualObjective = v }),
            new(Coarse + "audio_analysis", "Audio", true, (r, v) => r with { AudioAnalysis = v }),
            new(Coarse + "video_content", "Video", true, (r, v) => r with { VideoContent = v }),
            new("final_summary", "Summary (reasoning)", true, (r, v) => r with { FinalSummary = v }),
        ],
        [ExportFileType.Au] = [new("overall_peak_au_description", "AU description", true, (r, v) => r with { OverallPeakAuDescription = v })],
        [ExportFileType.Audio] = [new("audio_analysis", "Audio analysis", true, (r, v) => r with { AudioAnalysis = v })],
        [ExportFileType.Video] = [new("llm_video_summary", "Video summary", true, (r, v) => r with { LlmVideoSummary = v })],
        [ExportFileType.Image] =
        [
            new("au_text_description", "FACS text", false, (r, v) => r with { AuTextDescription = v }),
            new("llm_au_description", "AU description", true, (r, v) => r with { LlmAuDescription = v }),
            new("image_visual_description", "Image", true, (r, v) => r with { ImageVisualDescription = v }),
            new("final_summary", "Summary (reasoning)", true, (r, v) => r with { FinalSummary = v }),
        ],
    };

    /// <summary>Record types in MER-Factory's discovery priority (spec §10.2): a folder is of the first type it has a file of.</summary>
    public static IReadOnlyList<ExportFileType> Priority { get; } =
        [ExportFileType.Mer, ExportFileType.Audio, ExportFileType.Video, ExportFileType.Image, ExportFileType.Au];

    public static IReadOnlyList<FieldSpec> For(ExportFileType type) => ByType[type];

    public static FieldSpec? Find(ExportFileType type, string key) => ByType[type].FirstOrDefault(f => f.Key == key);
}
