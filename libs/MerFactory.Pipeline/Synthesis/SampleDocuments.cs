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
    string? GroundTruthLabel)
{
    /// <summary>A clue is missing or came from a stand-in for its modality (reasons in <c>{id}_steps.json</c>).</summary>
    public bool Degraded { get; init; }
}

/// <summary>What an image sample's final record holds (spec §7.2 "Image").</summary>
public sealed record ImageRecord(
    string SourcePath,
    string AuTextDescription,
    string LlmAuDescription,
    string? ImageVisualDescription,
    string FinalSummary,
    string? GroundTruthLabel)
{
    /// <summary>The visual description is missing or came from a stand-in (reasons in <c>{id}_steps.json</c>).</summary>
    public bool Degraded { get; init; }
}

/// <summary>
/// MER-Factory's result files, key for key and in its order, written as Python's <c>json.dump(indent=4, ensure_ascii=False)</c>
/// would, so tools built for MER-Factory's datasets read ours. Unlike MER-Factory, a missing clue is null, never a
/// placeholder such as "N/A" that would read as model text, and a record with a missing or stand-in clue carries
/// <c>"degraded": true</c> so exports can leave it out.
/// </summary>
public static class SampleDocuments
{
    public const string DegradedKey = "degraded";

    public static string Audio(string sourcePath, string audioAnalysis, bool degraded = false) => PythonJson.Serialize(Flagged(new PythonJsonObject
    {
        { "source_path", sourcePath },
        { "audio_analysis", audioAnalysis },
    }, degraded));

    public static string Video(string sourcePath, string videoSummary, bool degraded = false) => PythonJson.Serialize(Flagged(new PythonJsonObject
    {
        { "source_path", sourcePath },
        { "llm_video_summary", videoSummary },
    }, degraded));

    public static string Image(ImageRecord record)
    {
        var json = new PythonJsonObject
        {
            { "source_path", record.SourcePath },
            { "au_text_description", record.AuTextDescription },
            { "llm_au_description", record.LlmAuDescription },
            { "image_visual_description", OrNull(record.ImageVisualDescription) },
            { "final_summary", record.FinalSummary },
        };
        if (!string.IsNullOrWhiteSpace(record.GroundTruthLabel)) json.Add("ground_truth_label", record.GroundTruthLabel);
        return PythonJson.Serialize(Flagged(json, record.Degraded || OrNull(record.ImageVisualDescription) is null));
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
                    { "visual_expression", OrNull(record.VisualExpression) },
                    { "visual_objective", OrNull(record.VisualObjective) },
                    { "audio_analysis", OrNull(record.AudioAnalysis) },
                    { "video_content", OrNull(record.VideoContent) },
                }
            },
            { "final_summary", record.FinalSummary },
        };
        if (!string.IsNullOrWhiteSpace(record.GroundTruthLabel)) json.Add("ground_truth_label", record.GroundTruthLabel);
        var missing = new[] { record.VisualExpression, record.VisualObjective, record.AudioAnalysis, record.VideoContent }.Any(c => OrNull(c) is null);
        return PythonJson.Serialize(Flagged(json, record.Degraded || missing));
    }

    private static PythonJsonObject Flagged(PythonJsonObject json, bool degraded)
    {
        if (degraded) json.Add(DegradedKey, true);
        return json;
    }

    private static string? OrNull(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
