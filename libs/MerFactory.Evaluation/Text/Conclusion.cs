using System.Text.RegularExpressions;

namespace MerFactory.Evaluation.Text;

/// <summary>
/// The concluding sentence MER-Factory's synthesis prompts require (spec §5.2) — "In conclusion, the core emotional state
/// is …", "Thus the emotion is: …", "Therefore, the (inferred) sentiment is …" — and the emotion it names.
/// </summary>
public static partial class Conclusion
{
    [GeneratedRegex(@"(?:in conclusion, the (?:core|most likely) emotional state is|thus the emotion is:?|therefore, the (?:inferred )?(?:emotion|sentiment) is:?)\s*(?<value>[^\n]*)",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.RightToLeft)]
    private static partial Regex Ending();

    [GeneratedRegex(@",\s*and\b|\bbecause\b|\bdue to\b|\bas\b|\.\s|\.$|;", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ValueEnd();

    /// <summary>The named state ("frustration"), or null when the text has no required concluding sentence.</summary>
    public static string? StatedEmotion(string summary)
    {
        var match = Ending().Match(summary);
        if (!match.Success) return null;
        // The sentence must be the last one: nothing but closing punctuation may follow it.
        var after = summary[(match.Index + match.Length)..].Trim().Trim('"', '\u201d', '*', '.');
        if (after.Length > 0) return null;
        var value = match.Groups["value"].Value;
        var end = ValueEnd().Match(value);
        var state = (end.Success ? value[..end.Index] : value).Trim().Trim('"', '\u201d', '*', '.', '[', ']').Trim();
        return state.Length == 0 || state.Contains('[') ? null : state;
    }

    /// <summary>The whole concluding sentence (for emotion look-up when the state phrase itself has no lexicon word).</summary>
    public static string? Sentence(string summary)
    {
        var match = Ending().Match(summary);
        return match.Success ? match.Value : null;
    }
}
