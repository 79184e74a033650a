using System.Globalization;
using System.Text;
using Quickenshtein;

namespace MerFactory.Evaluation.Text;

/// <summary>Word and character error rates (Levenshtein, Quickenshtein) and approximate substring matching for quotes.</summary>
public static class EditDistance
{
    /// <summary>Lower-cased letters and digits, one space between words; CJK text keeps no spaces (its characters are its words).</summary>
    public static string Normalize(string text)
    {
        var builder = new StringBuilder(text.Length);
        var space = false;
        foreach (var c in text.Normalize(NormalizationForm.FormKC))
        {
            if (char.IsLetterOrDigit(c))
            {
                if (space && builder.Length > 0 && !IsCjk(c) && !IsCjk(builder[^1])) builder.Append(' ');
                builder.Append(char.ToLowerInvariant(c));
                space = false;
            }
            else if (c != '\'' && c != '’') space = true;
        }
        return builder.ToString();
    }

    /// <summary>Word tokens for WER; CJK characters count one word each (as MER-Factory's evaluate.py does for Chinese).</summary>
    public static IReadOnlyList<string> WerTokens(string normalized)
    {
        var tokens = new List<string>();
        foreach (var word in normalized.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!word.Any(IsCjk)) { tokens.Add(word); continue; }
            foreach (var element in StringInfoElements(word)) tokens.Add(element);
        }
        return tokens;
    }

    /// <summary>Word error rate of <paramref name="hypothesis"/> against <paramref name="reference"/> (edits / reference words).</summary>
    public static double Wer(string reference, string hypothesis)
    {
        var r = WerTokens(Normalize(reference));
        var h = WerTokens(Normalize(hypothesis));
        if (r.Count == 0) return h.Count == 0 ? 0 : 1;
        // Each distinct word becomes one character, so Quickenshtein's string distance counts word edits.
        var alphabet = new Dictionary<string, char>(StringComparer.Ordinal);
        string Encode(IReadOnlyList<string> words) => string.Concat(words.Select(w => alphabet.TryGetValue(w, out var c) ? c : alphabet[w] = (char)(0xE000 + alphabet.Count % 6000)));
        return Levenshtein.GetDistance(Encode(r), Encode(h)) / (double)r.Count;
    }

    /// <summary>Character error rate over the normalised texts (spaces excluded).</summary>
    public static double Cer(string reference, string hypothesis)
    {
        var r = Normalize(reference).Replace(" ", "", StringComparison.Ordinal);
        var h = Normalize(hypothesis).Replace(" ", "", StringComparison.Ordinal);
        if (r.Length == 0) return h.Length == 0 ? 0 : 1;
        return Levenshtein.GetDistance(r, h) / (double)r.Length;
    }

    /// <summary>
    /// The lowest CER of <paramref name="quote"/> against any span of <paramref name="text"/> (semi-global alignment: the
    /// span may start and end anywhere), i.e. how far the quote is from the closest thing actually said.
    /// </summary>
    public static double BestSpanCer(string quote, string text)
    {
        var q = Normalize(quote).Replace(" ", "", StringComparison.Ordinal);
        var t = Normalize(text).Replace(" ", "", StringComparison.Ordinal);
        if (q.Length == 0) return 0;
        if (t.Length == 0) return 1;
        var previous = new int[t.Length + 1]; // row 0 is all zeros: the span may start anywhere
        var current = new int[t.Length + 1];
        for (var i = 1; i <= q.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= t.Length; j++)
            {
                var substitute = previous[j - 1] + (q[i - 1] == t[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitute, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }
            (previous, current) = (current, previous);
        }
        var best = previous.Min();
        return Math.Min(1, best / (double)q.Length);
    }

    public static bool IsCjk(char c) => c is >= '\u3040' and <= '\u30ff' or >= '\u3400' and <= '\u9fff' or >= '\uac00' and <= '\ud7af' or >= '\uf900' and <= '\ufaff';

    private static IEnumerable<string> StringInfoElements(string text)
    {
        var enumerator = StringInfo.GetTextElementEnumerator(text);
        while (enumerator.MoveNext()) yield return (string)enumerator.Current;
    }
}
