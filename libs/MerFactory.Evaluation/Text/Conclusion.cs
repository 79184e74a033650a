using System.Text.RegularExpressions;

namespace MerFactory.Evaluation.Text;

/// <summary>
/// The concluding sentence MER-Factory's synthesis prompts require (spec §5.2) — "In conclusion, the core emotional state
/// is …", "Thus the emotion is: …", "Therefore, the (inferred) sentiment is …" — and the emotion it names.
/// </summary>
public static partial class Conclusion
{
    [GeneratedRegex(@"(?:in conclusion, the (?:core|most likely) emotional state is|thus the emotion is:?|therefore, the (?:inferred )?(?:emotion|sentiment) is:?)\s*(?<value>[^\n]*)",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Ending();

    [GeneratedRegex(@",\s*and\b|\bbecause\b|\bdue to\b|\bas\b|[.!?](?:\s|$)|;", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ValueEnd();

    [GeneratedRegex(@"[.!?]\s+\S", RegexOptions.CultureInvariant)]
    private static partial Regex AnotherSentence();

    /// <summary>The named state ("frustration"), or null when the text has no required concluding sentence.</summary>
    public static string? StatedEmotion(string summary)
    {
        if (Last(summary) is not { } match) return null;
        var value = match.Groups["value"].Value;
        // The sentence must be the last one: no sentence may follow it.
        if (AnotherSentence().IsMatch(value) || summary[(match.Index + match.Length)..].Trim().Length > 0) return null;
        if (value.Contains('[', StringComparison.Ordinal)) return null; // the template's "[emotion]" left unfilled
        var end = ValueEnd().Match(value);
        var state = (end.Success ? value[..end.Index] : value).Trim().Trim('"', '\u201d', '*', '.').Trim();
        return state.Length == 0 ? null : state;
    }

    /// <summary>The whole concluding sentence (for emotion look-up when the state phrase itself has no lexicon word).</summary>
    public static string? Sentence(string summary)
    {
        return Last(summary)?.Value;
    }

    private static Match? Last(string summary)
    {
        Match? last = null;
        for (var m = Ending().Match(summary); m.Success; m = m.NextMatch()) last = m;
        return last;
    }
}
