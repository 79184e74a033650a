using System.Globalization;
using System.Text.Json;
using MerFactory.Export.Sources;

namespace MerFactory.Export.Writers;

/// <summary>
/// CSV columns per type: spec §8.3's columns in their order (lists and objects as JSON rather than Python
/// reprs), then the extra columns a CSV needs so that CSV→JSON loses nothing (<c>id</c>, paths, AU-CSV figures,
/// transcript, label).
/// </summary>
public static class CsvLayout
{
    public static string FileName(ExportFileType type) => $"{type.Name()}_export_data.csv";

    public static IReadOnlyList<string> Columns(ExportFileType type) => type switch
    {
        ExportFileType.Au =>
        [
            "source_path", "chronological_emotion_peaks", "file_type",
            "id", "chronological_emotion_peaks_list", "overall_peak_au_description", "frame_count", "clip_au_codes",
        ],
        ExportFileType.Mer =>
        [
            "source_path", "chronological_emotion_peaks_list", "chronological_emotion_peaks", "visual_expression",
            "visual_objective", "audio_analysis", "video_content", "final_summary", "overall_peak_frame_info", "file_type",
            "id", "audio_path", "ground_truth_label", "frame_count", "clip_au_codes", "transcript",
        ],
        ExportFileType.Audio => ["source_path", "audio_analysis", "file_type", "id", "audio_path"],
        ExportFileType.Video => ["source_path", "llm_video_summary", "file_type", "id"],
        ExportFileType.Image =>
        [
            "source_path", "source_image", "au_text_description", "llm_au_description", "image_visual_description",
            "final_summary", "file_type", "id", "ground_truth_label",
        ],
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>The cell of <paramref name="column"/> for <paramref name="record"/>.</summary>
    public static string Cell(ExportRecord record, string column) => column switch
    {
        "id" => record.Id,
        "file_type" => record.FileType.Name(),
        "source_path" => record.SourcePath,
        // export.py left source_image empty (no such key); the image itself is what the column names.
        "source_image" => record.SourcePath,
        "audio_path" => record.AudioPath ?? "",
        "chronological_emotion_peaks" => string.Join("; ", record.ChronologicalEmotionPeaks),
        "chronological_emotion_peaks_list" => JsonSerializer.Serialize(record.ChronologicalEmotionPeaks, JsonText.Options),
        "overall_peak_au_description" => record.OverallPeakAuDescription,
        "visual_expression" => record.VisualExpression,
        "visual_objective" => record.VisualObjective,
        "audio_analysis" => record.AudioAnalysis,
        "video_content" => record.VideoContent,
        "final_summary" => record.FinalSummary,
        "overall_peak_frame_info" => record.OverallPeakFrameInfo is null ? "" : JsonText.Serialize(w => PeakFrameInfoJson.Write(w, record.OverallPeakFrameInfo), indented: false),
        "llm_video_summary" => record.LlmVideoSummary,
        "au_text_description" => record.AuTextDescription,
        "llm_au_description" => record.LlmAuDescription,
        "image_visual_description" => record.ImageVisualDescription,
        "ground_truth_label" => record.GroundTruthLabel ?? "",
        "frame_count" => record.FrameCount?.ToString(CultureInfo.InvariantCulture) ?? "",
        "clip_au_codes" => JsonSerializer.Serialize(record.ClipAuCodes, JsonText.Options),
        "transcript" => record.Transcript ?? "",
        _ => throw new ArgumentOutOfRangeException(nameof(column), column, "unknown CSV column"),
    };
}
