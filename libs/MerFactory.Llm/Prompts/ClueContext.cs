using System.Globalization;

namespace MerFactory.Llm.Prompts;

/// <summary>Evidence gathered for a MER sample, fed to synthesis as the clue block (spec §5.3).</summary>
public sealed record MerClues(
    IReadOnlyList<string> DetectedEmotions,
    double PeakTimestampSeconds,
    string PeakFrameAuDescription,
    string? ImageVisualDescription,
    string? AudioAnalysis,
    string? VideoDescription,
    string? GroundTruthLabel = null);

/// <summary>Evidence gathered for an image sample (spec §5.3).</summary>
public sealed record ImageClues(string FacialExpressionDescription, string? ImageVisualDescription, string? GroundTruthLabel = null);

/// <summary>Builds the "- Label: value" clue blocks MER-Factory feeds its synthesis prompts, line for line.</summary>
public static class ClueContext
{
    public static string ForMer(MerClues clues, SynthesisTask task)
    {
        var lines = new List<string>();
        if (!string.IsNullOrWhiteSpace(clues.GroundTruthLabel))
            lines.Add($"- Ground Truth {(task == SynthesisTask.SentimentAnalysis ? "Sentiment" : "Emotion")} Label: {clues.GroundTruthLabel}");
        lines.Add($"- Chronological Emotion Peaks by Facial Action Unit: {string.Join("; ", clues.DetectedEmotions)}");
        lines.Add($"- Facial Expression Clues (at overall peak {clues.PeakTimestampSeconds.ToString("0.00", CultureInfo.InvariantCulture)}s): {clues.PeakFrameAuDescription}");
        lines.Add($"- Visual Context (at overall peak): {clues.ImageVisualDescription}");
        if (!string.IsNullOrWhiteSpace(clues.AudioAnalysis)) lines.Add($"- Audio clues: {clues.AudioAnalysis}");
        if (!string.IsNullOrWhiteSpace(clues.VideoDescription) && clues.VideoDescription != "N/A") lines.Add($"- Video Content Overview: {clues.VideoDescription}");
        return string.Join("\n", lines);
    }

    public static string ForImage(ImageClues clues)
    {
        var lines = new List<string>();
        if (!string.IsNullOrWhiteSpace(clues.GroundTruthLabel)) lines.Add($"- Ground Truth Label: {clues.GroundTruthLabel}");
        lines.Add($"- Facial Expression Clues: {clues.FacialExpressionDescription}");
        lines.Add($"- Visual Context: {clues.ImageVisualDescription}");
        return string.Join("\n", lines);
    }
}
