using System.Globalization;
using System.Text.RegularExpressions;

namespace MerFactory.Export.Text;

/// <summary>Derivations for Emotion-LLaMA's MERR fields (spec §8.5), with MER-Factory's defects fixed.</summary>
public static partial class EmotionLlamaText
{
    /// <summary>
    /// The labels Emotion-LLaMA's loader accepts in the TXT's third column (<c>emo2idx</c> in
    /// <c>first_face.py</c>); any other word there raises a KeyError at training time.
    /// </summary>
    public static IReadOnlyList<string> Labels { get; } =
        ["neutral", "angry", "happy", "sad", "worried", "surprise", "fear", "contempt", "doubt"];

    private static readonly Dictionary<string, string> Synonyms = new(StringComparer.OrdinalIgnoreCase)
    {
        ["happiness"] = "happy", ["joy"] = "happy", ["sadness"] = "sad", ["anger"] = "angry",
        ["surprised"] = "surprise", ["fearful"] = "fear", ["afraid"] = "fear", ["worry"] = "worried",
    };

    /// <summary>A label from Emotion-LLaMA's set for <paramref name="word"/> (synonyms mapped), or null.</summary>
    public static string? ToLabel(string? word)
    {
        if (string.IsNullOrWhiteSpace(word)) return null;
        var trimmed = word.Trim().ToLowerInvariant();
        if (Labels.Contains(trimmed)) return trimmed;
        return Synonyms.GetValueOrDefault(trimmed);
    }

    /// <summary>
    /// The peak whose "Peak at Xs:" time is within 0.1 s of the overall peak, else the first peak;
    /// its first emotion word (export.py's pseudo emotion).
    /// </summary>
    public static string PseudoEmotion(IReadOnlyList<string> peaks, PeakFrameInfo? peakInfo)
    {
        if (peaks.Count == 0) return "unknown";
        var chosen = peaks[0];
        if (peakInfo?.Timestamp is { } peakTime)
        {
            foreach (var peak in peaks)
            {
                var match = PeakTime().Match(peak);
                if (match.Success
                    && double.TryParse(match.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var time)
                    && Math.Abs(time - peakTime) <= 0.1)
                {
                    chosen = peak;
                    break;
                }
            }
        }
        return EmotionOfPeak(chosen);
    }

    /// <summary>"Peak at 2.88s: angry (slight), contempt (slight)" → "angry"; "neutral" → "neutral".</summary>
    public static string EmotionOfPeak(string peak)
    {
        var colon = peak.IndexOf(':');
        var afterColon = colon >= 0 ? peak[(colon + 1)..] : peak;
        var first = TextCleanup.StripParentheticals(afterColon.Split(',')[0]).Trim();
        if (first.Length is > 0 and < 20) return first.ToLowerInvariant();
        var lower = peak.ToLowerInvariant();
        return Labels.FirstOrDefault(lower.Contains) ?? "unknown";
    }

    /// <summary>First three AU names of the visual expression, without intensities ("N/A" and empty give none).</summary>
    public static IReadOnlyList<string> VisualPriors(string visualExpression) =>
        visualExpression.Split(',')
            .Select(TextCleanup.StripParentheticals)
            .Select(part => part.Trim().TrimEnd('.'))
            .Where(part => part.Length > 0 && !part.Equals("N/A", StringComparison.OrdinalIgnoreCase))
            .Take(3)
            .ToList();

    /// <summary>
    /// Audio cues as a list (Emotion-LLaMA's field is a list; export.py wrote a string): the comma-separated
    /// descriptors of the "tone:" sentence when there is one, else the first sentence of the analysis.
    /// </summary>
    public static IReadOnlyList<string> AudioPriors(string audioAnalysis)
    {
        if (string.IsNullOrWhiteSpace(audioAnalysis)) return [];
        var tone = ToneSentence().Match(audioAnalysis);
        if (tone.Success)
        {
            return tone.Groups[1].Value.Split(',')
                .Select(part => part.Trim().TrimEnd('.').Trim())
                .Where(part => part.Length > 0)
                .ToList();
        }
        var firstSentence = FirstSentence().Match(audioAnalysis.Trim());
        var sentence = (firstSentence.Success ? firstSentence.Groups[1].Value : audioAnalysis).Trim();
        return sentence.Length == 0 ? [] : [sentence];
    }

    /// <summary>
    /// AU_list: the clip-level AUs from the AU CSV; without one, the codes of the AUs the peak description names
    /// (what export.py's <c>AU\d+</c> regex meant to find, but descriptions carry names, not codes) plus the peak AUs.
    /// </summary>
    public static IReadOnlyList<string> AuList(ExportRecord record)
    {
        if (record.ClipAuCodes.Count > 0) return record.ClipAuCodes;
        var fromDescription = record.VisualExpression.Split(',')
            .Select(part => AuNames.CodeOf(TextCleanup.StripParentheticals(part)))
            .OfType<string>();
        var fromPeak = (record.OverallPeakFrameInfo?.TopAuIntensities ?? []).Select(kv => AuNames.NormalizeCode(kv.Key));
        return fromDescription.Concat(fromPeak).Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>peak_AU_list: the peak frame's AUs without the <c>_r</c> suffix, in file order.</summary>
    public static IReadOnlyList<string> PeakAuList(PeakFrameInfo? info) =>
        (info?.TopAuIntensities ?? []).Select(kv => AuNames.NormalizeCode(kv.Key)).Distinct(StringComparer.Ordinal).ToList();

    [GeneratedRegex(@"Peak at (\d+\.?\d*)s:")]
    private static partial Regex PeakTime();

    [GeneratedRegex(@"tone\s*:\s*([^.\n]*)", RegexOptions.IgnoreCase)]
    private static partial Regex ToneSentence();

    [GeneratedRegex(@"^([^.\n]*)")]
    private static partial Regex FirstSentence();
}
