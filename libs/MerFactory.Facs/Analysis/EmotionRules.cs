using MerFactory.Facs.OpenFace;

namespace MerFactory.Facs.Analysis;

/// <summary>How strongly an emotion shows: score ≥ 3·threshold strong, ≥ 2·threshold moderate, else slight.</summary>
public enum EmotionStrength
{
    Slight,
    Moderate,
    Strong,
}

/// <summary>One emotion found at a peak frame.</summary>
/// <param name="Emotion">"happy", "sad", … as MER-Factory names them.</param>
/// <param name="Score">Mean intensity of the rule's AUs.</param>
public sealed record EmotionScore(string Emotion, double Score, EmotionStrength Strength)
{
    /// <summary>"slight", "moderate" or "strong".</summary>
    public string StrengthName => Strength.ToString().ToLowerInvariant();

    /// <summary>"disgust (slight)".</summary>
    public override string ToString() => $"{Emotion} ({StrengthName})";
}

/// <summary>A FACS rule: an emotion and the AUs that express it.</summary>
public sealed record EmotionRule(string Emotion, IReadOnlyList<string> Aus);

/// <summary>
/// MER-Factory's emotion rules (EMOTION_TO_AU_MAP, credited to Emotion-LLaMA), applied exactly as
/// <c>EmotionAnalyzer.analyze_emotions_at_peak</c> does.
/// </summary>
public static class EmotionRules
{
    /// <summary>The eight rules in MER-Factory's order, which is also the order of equal scores.</summary>
    public static IReadOnlyList<EmotionRule> Table { get; } =
    [
        new("happy", ["AU06", "AU12", "AU14"]),
        new("sad", ["AU01", "AU04", "AU15", "AU14"]),
        new("surprise", ["AU01", "AU02", "AU05", "AU26"]),
        new("fear", ["AU01", "AU02", "AU04", "AU05", "AU07", "AU20", "AU26"]),
        new("angry", ["AU04", "AU05", "AU07", "AU23", "AU10", "AU17"]),
        new("contempt", ["AU12", "AU10", "AU14", "AU17"]),
        // OpenFace has no AU28 intensity, so the score is AU20_r alone while AU28_c still counts as presence.
        new("worried", ["AU28", "AU20"]),
        new("disgust", ["AU09", "AU15"]),
    ];

    /// <summary>The strength of <paramref name="score"/> relative to <paramref name="threshold"/>.</summary>
    public static EmotionStrength StrengthOf(double score, double threshold) =>
        score >= threshold * 3 ? EmotionStrength.Strong
        : score >= threshold * 2 ? EmotionStrength.Moderate
        : EmotionStrength.Slight;

    /// <summary>
    /// The emotions of row <paramref name="row"/>, in table order. For each rule: skipped if any of its "_c" columns is
    /// missing; skipped unless at least half of its AUs are present (_c == 1); the score is the mean of the "_r"
    /// columns that exist (present or not; skipped if none); kept when score ≥ <paramref name="threshold"/>.
    /// </summary>
    public static IReadOnlyList<EmotionScore> AnalyzeAtPeak(OpenFaceTable table, int row, double threshold)
    {
        var frame = table.Frames[row];
        var found = new List<EmotionScore>();
        foreach (var rule in ColumnsFor(table.Layout))
        {
            // A rule with a missing presence column never fires.
            if (rule.PresenceIndexes is not { } presence) continue;

            var presentCount = 0;
            foreach (var index in presence)
            {
                if (frame.Presences[index] == 1) presentCount++;
            }

            if (presentCount < presence.Length * 0.5 || rule.IntensityIndexes.Length == 0) continue;

            double sum = 0;
            foreach (var index in rule.IntensityIndexes) sum += frame.Intensities[index];
            var score = sum / rule.IntensityIndexes.Length;
            if (score >= threshold) found.Add(new EmotionScore(rule.Emotion, score, StrengthOf(score, threshold)));
        }

        return found;
    }

    // The rules resolved to column positions once per layout (tables of one engine share their layout).
    private sealed record RuleColumns(string Emotion, int[]? PresenceIndexes, int[] IntensityIndexes);

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<OpenFaceLayout, RuleColumns[]> ResolvedRules = new();

    private static RuleColumns[] ColumnsFor(OpenFaceLayout layout) => ResolvedRules.GetValue(layout, static layout =>
    [
        .. Table.Select(rule =>
        {
            var presence = rule.Aus.Select(au => layout.PresenceIndex(OpenFaceAus.PresenceColumn(au))).ToArray();
            var intensity = rule.Aus.Select(au => layout.IntensityIndex(OpenFaceAus.IntensityColumn(au))).Where(i => i >= 0).ToArray();
            return new RuleColumns(rule.Emotion, presence.Any(i => i < 0) ? null : presence, intensity);
        }),
    ]);
}
