using System.Globalization;
using System.Text;

namespace MerFactory.Speech.Text;

/// <summary>Word-level edit counts between a reference and a hypothesis transcript.</summary>
public sealed record WordErrorResult(int Substitutions, int Deletions, int Insertions, int ReferenceWords)
{
    public int Errors => Substitutions + Deletions + Insertions;

    /// <summary>Errors divided by reference words (can exceed 1 with many insertions); 0 when both are empty.</summary>
    public double Rate => ReferenceWords == 0 ? (Errors == 0 ? 0 : 1) : Errors / (double)ReferenceWords;
}

/// <summary>Word error rate by word-level Levenshtein alignment on normalised text.</summary>
public static class WordErrorRate
{
    public static WordErrorResult Compute(string reference, string hypothesis) =>
        Compute(Normalize(reference), Normalize(hypothesis));

    public static WordErrorResult Compute(IReadOnlyList<string> reference, IReadOnlyList<string> hypothesis)
    {
        var n = reference.Count;
        var m = hypothesis.Count;
        // cost[i, j] = edits turning reference[..i] into hypothesis[..j]; a back-trace recovers the edit kinds.
        var cost = new int[n + 1, m + 1];
        for (var i = 0; i <= n; i++) cost[i, 0] = i;
        for (var j = 0; j <= m; j++) cost[0, j] = j;
        for (var i = 1; i <= n; i++)
        {
            for (var j = 1; j <= m; j++)
            {
                var substitution = cost[i - 1, j - 1] + (string.Equals(reference[i - 1], hypothesis[j - 1], StringComparison.Ordinal) ? 0 : 1);
                cost[i, j] = Math.Min(substitution, Math.Min(cost[i - 1, j] + 1, cost[i, j - 1] + 1));
            }
        }

        int substitutions = 0, deletions = 0, insertions = 0;
        for (int i = n, j = m; i > 0 || j > 0;)
        {
            if (i > 0 && j > 0 && cost[i, j] == cost[i - 1, j - 1] + (reference[i - 1] == hypothesis[j - 1] ? 0 : 1))
            {
                if (reference[i - 1] != hypothesis[j - 1]) substitutions++;
                i--; j--;
            }
            else if (i > 0 && cost[i, j] == cost[i - 1, j] + 1)
            {
                deletions++; i--;
            }
            else
            {
                insertions++; j--;
            }
        }
        return new WordErrorResult(substitutions, deletions, insertions, n);
    }

    /// <summary>Lower-case words with punctuation removed (apostrophes inside words kept), e.g. "Don't, stop!" → [don't, stop].</summary>
    public static IReadOnlyList<string> Normalize(string text)
    {
        var builder = new StringBuilder(text.Length);
        for (var k = 0; k < text.Length; k++)
        {
            var c = text[k];
            var insideWordApostrophe = (c is '\'' or '’') && k > 0 && k < text.Length - 1 && char.IsLetter(text[k - 1]) && char.IsLetter(text[k + 1]);
            if (char.IsLetterOrDigit(c)) builder.Append(char.ToLower(c, CultureInfo.InvariantCulture));
            else if (insideWordApostrophe) builder.Append('\'');
            else builder.Append(' ');
        }
        return builder.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }
}
