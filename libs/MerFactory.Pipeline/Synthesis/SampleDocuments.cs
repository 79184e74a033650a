using MerFactory.Facs.Formatting;

namespace MerFactory.Pipeline.Synthesis;

/// <summary>The overall peak frame of a MER sample (<c>overall_peak_frame_info</c>).</summary>
public sealed record PeakFrameInfo(int FrameNumber, double Timestamp, IReadOnlyList<KeyValuePair<string, double>> TopAusIntensities);

/// <summary>What a MER sample's final record holds (spec §7.2 "MER").</summary>
public sealed record MerRecord(
    string SourcePath,
    string? AudioPath,
    IReadOnlyList<string> ChronologicalEmotionPeaks,
    PeakFrameInfo? OverallPeak,
    string? VisualExpression,
    string? VisualObjective,
    string? AudioAnalysis,
    string? VideoContent,
    string FinalSummary,
    string? GroundTruthLabel);

/// <summary>What an image sample's final record holds (spec §7.2 "Image").</summary>
public sealed record ImageRecord(
    string SourcePath,
    string AuTextDescription,
    string LlmAuDescription,
    string? ImageVisualDescription,
    string FinalSummary,
    string? GroundTruthLabel);

/// <summary>
/// MER-Factory's result files, key for key and in its order, written as Python's <c>json.dump(indent=4, ensure_ascii=False)</c>
/// would, so tools built for MER-Factory's datasets read ours. Defaults follow its field mapping ("N/A", "").
/// </summary>
public static class SampleDocuments
{
    public const string NotAvailable = "N/A";

    public static string Audio(string sourcePath, string audioAnalysis) => PythonJson.Serialize(new PythonJsonObject
    {
        { "source_path", sourcePath },
        { "audio_analysis", audioAnalysis },
    });

    public static string Video(string sourcePath, string videoSummary) => PythonJson.Serialize(new PythonJsonObject
    {
        { "source_path", sourcePath },
        { "llm_video_summary", videoSummary },
    });

    public static string Image(ImageRecord record)
    {
        var json = new PythonJsonObject
        {
            { "source_path", record.SourcePath },
            { "au_text_description", record.AuTextDescription },
            { "llm_au_description", record.LlmAuDescription },
            { "image_visual_description", record.ImageVisualDescription ?? NotAvailable },
            { "final_summary", record.FinalSummary },
        };
        if (!string.IsNullOrWhiteSpace(record.GroundTruthLabel)) json.Add("ground_truth_label", record.GroundTruthLabel);
        return PythonJson.Serialize(json);
    }

    public static string Mer(MerRecord record)
    {
        var peak = record.OverallPeak is null
            ? new PythonJsonObject()
            : new PythonJsonObject
            {
                { "frame_number", record.OverallPeak.FrameNumber },
                { "timestamp", record.OverallPeak.Timestamp },
                { "top_aus_intensities", record.OverallPeak.TopAusIntensities },
            };
        var json = new PythonJsonObject
        {
            { "source_path", record.SourcePath },
            { "audio_path", record.AudioPath },
            { "chronological_emotion_peaks", record.ChronologicalEmotionPeaks },
            { "overall_peak_frame_info", peak },
            {
                "coarse_descriptions_at_peak", new PythonJsonObject
                {
                    { "visual_expression", Or(record.VisualExpression, NotAvailable) },
                    { "visual_objective", Or(record.VisualObjective, NotAvailable) },
                    { "audio_analysis", record.AudioAnalysis ?? "" },
                    { "video_content", Or(record.VideoContent, NotAvailable) },
                }
            },
            { "final_summary", record.FinalSummary },
        };
        if (!string.IsNullOrWhiteSpace(record.GroundTruthLabel)) json.Add("ground_truth_label", record.GroundTruthLabel);
        return PythonJson.Serialize(json);
    }

    private static string Or(string? value, string fallback) => string.IsNullOrWhiteSpace(value) ? fallback : value;
}
