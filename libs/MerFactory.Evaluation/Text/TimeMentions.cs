using System.Globalization;
using System.Text.RegularExpressions;

namespace MerFactory.Evaluation.Text;

/// <summary>A time a text cites, in seconds, with where it is in the text.</summary>
public readonly record struct TimeMention(double Seconds, int Offset, string Text);

/// <summary>Finds cited times: "3.2s", "3.2 s", "at 4 seconds", "00:03", "0:03.5".</summary>
public static partial class TimeMentions
{
    [GeneratedRegex(@"(?<![\w.])(\d{1,5}(?:\.\d+)?)\s?(?:s|sec|secs|second|seconds)\b|(?<![\w:])(\d{1,2}):(\d{2}(?:\.\d+)?)(?![\w:])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex TimePattern();

    public static IReadOnlyList<TimeMention> In(string text)
    {
        var found = new List<TimeMention>();
        foreach (Match m in TimePattern().Matches(text))
        {
            if (IsDecade(text, m)) continue;
            var seconds = m.Groups[1].Success
                ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)
                : 60 * double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) + double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture);
            found.Add(new TimeMention(seconds, m.Index, m.Value));
        }
        return found;
    }

    /// <summary>"the 1990s", "the 80s", "'90s": decades, not times.</summary>
    private static bool IsDecade(string text, Match m)
    {
        var number = m.Groups[1].Value;
        if (!m.Groups[1].Success || m.Value.Length != number.Length + 1 || number.Contains('.') || !number.EndsWith('0')) return false;
        var before = text[..m.Index].TrimEnd();
        return number.Length == 4 || before.EndsWith("the", StringComparison.OrdinalIgnoreCase) || before.EndsWith('\'') || before.EndsWith('’');
    }

    /// <summary>The time mentioned in the same sentence nearest to <paramref name="offset"/>, if any.</summary>
    public static TimeMention? NearestInSentence(string text, int offset)
    {
        var sentence = TextTokens.SentenceAt(text, offset);
        var sentenceStart = text.IndexOf(sentence, Math.Max(0, offset - sentence.Length), StringComparison.Ordinal);
        if (sentenceStart < 0) sentenceStart = 0;
        TimeMention? best = null;
        foreach (var mention in In(sentence))
        {
            var at = sentenceStart + mention.Offset;
            if (best is null || Math.Abs(at - offset) < Math.Abs(best.Value.Offset - offset)) best = mention with { Offset = at };
        }
        return best;
    }
}
