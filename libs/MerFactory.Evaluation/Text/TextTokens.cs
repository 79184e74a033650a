using System.Text.RegularExpressions;

namespace MerFactory.Evaluation.Text;

/// <summary>A word of a text: lower-cased, with its character offset (to find the sentence or clause around it).</summary>
public readonly record struct Token(string Word, int Offset);

/// <summary>Tokenising, sentence splitting and negation scope shared by the metrics.</summary>
public static partial class TextTokens
{
    private static readonly HashSet<string> Negators = new(StringComparer.Ordinal)
    {
        "no", "not", "never", "without", "nor", "neither", "lacks", "lacking", "absent", "absence", "isn't", "wasn't", "doesn't", "didn't",
        "aren't", "weren't", "don't", "hardly", "barely", "free",
    };

    [GeneratedRegex(@"[\p{L}\p{N}]+(?:['’][\p{L}]+)?", RegexOptions.CultureInvariant)]
    private static partial Regex WordPattern();

    [GeneratedRegex(@"(?<=[.!?。！？])\s+|\n+", RegexOptions.CultureInvariant)]
    private static partial Regex SentenceBreak();

    public static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        foreach (Match m in WordPattern().Matches(text))
        {
            if (!m.Value.Any(EditDistance.IsCjk)) { tokens.Add(new Token(m.Value.ToLowerInvariant().Replace('’', '\''), m.Index)); continue; }
            // Chinese and Japanese write no spaces: each character counts as a word (as for CER and WER).
            for (var i = 0; i < m.Value.Length; i++) tokens.Add(new Token(m.Value[i].ToString(), m.Index + i));
        }
        return tokens;
    }

    public static IReadOnlyList<string> Words(string text) => [.. Tokenize(text).Select(t => t.Word)];

    public static IReadOnlyList<string> Sentences(string text) =>
        [.. SentenceBreak().Split(text).Select(s => s.Trim()).Where(s => s.Length > 0)];

    /// <summary>True when one of the <paramref name="window"/> words before token <paramref name="index"/> negates it ("no smile", "not shouting").</summary>
    public static bool IsNegated(IReadOnlyList<Token> tokens, int index, int window = 3)
    {
        for (var i = Math.Max(0, index - window); i < index; i++)
        {
            var word = tokens[i].Word;
            if (Negators.Contains(word) || word.EndsWith("n't", StringComparison.Ordinal)) return true;
        }
        return false;
    }

    /// <summary>The sentence of <paramref name="text"/> that contains character <paramref name="offset"/>.</summary>
    public static string SentenceAt(string text, int offset)
    {
        var start = offset;
        while (start > 0 && !IsSentenceEnd(text, start - 1)) start--;
        var end = offset;
        while (end < text.Length && !IsSentenceEnd(text, end)) end++;
        return text[start..Math.Min(text.Length, end + 1)].Trim();
    }

    private static bool IsSentenceEnd(string text, int i) =>
        text[i] is '\n' or '!' or '?' or '。' or '！' or '？'
        || text[i] == '.' && (i + 1 >= text.Length || char.IsWhiteSpace(text[i + 1])) && !(i > 0 && char.IsDigit(text[i - 1]) && i + 1 < text.Length && char.IsDigit(text[i + 1]));
}
