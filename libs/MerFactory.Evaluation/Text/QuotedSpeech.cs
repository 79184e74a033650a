using System.Text.RegularExpressions;

namespace MerFactory.Evaluation.Text;

/// <summary>Quoted spans of a text and the transcript an audio description states.</summary>
public static partial class QuotedSpeech
{
    // Double and typographic quotes, CJK brackets, and single quotes that open after a space or colon (not apostrophes).
    [GeneratedRegex(@"""(?<q>[^""\n]{2,400})""|“(?<q>[^”\n]{2,400})”|「(?<q>[^」\n]{1,400})」|『(?<q>[^』\n]{1,400})』|(?<=^|[\s:(])['‘](?<q>[^'’\n]{2,400}?)['’](?=$|[\s.,;:!?)])",
        RegexOptions.CultureInvariant | RegexOptions.Multiline)]
    private static partial Regex Quote();

    [GeneratedRegex(@"\btranscri(?:pt|ption|bed)\b[^:""“'‘「\n]{0,40}[:\s]\s*(?:""(?<t>[^""\n]+)""|“(?<t>[^”\n]+)”|['‘](?<t>[^’\n]+?)['’](?=$|[\s.,;:!?])|「(?<t>[^」\n]+)」|(?<t>[^\n]+))",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex StatedTranscript();

    [GeneratedRegex(@"\b(?:no (?:speech|spoken words|words|dialogue)|nobody speaks|no one speaks|there is no speech|does not contain (?:any )?speech|is silent)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex NoSpeech();

    /// <summary>Quotes long enough to check: two words or more, or three CJK characters.</summary>
    public static IReadOnlyList<(string Quote, int Offset)> In(string text)
    {
        var quotes = new List<(string, int)>();
        foreach (Match m in Quote().Matches(text))
        {
            var quote = m.Groups["q"].Value.Trim();
            var words = TextTokens.Tokenize(quote).Count;
            if (words >= 2 || quote.Count(EditDistance.IsCjk) >= 3) quotes.Add((quote, m.Groups["q"].Index));
        }
        return quotes;
    }

    /// <summary>
    /// The transcript an audio description states: after "transcript:" / "transcription is", else the first line
    /// (MER-Factory's heuristic). Null when it says there is no speech; <paramref name="span"/> is where it is when it is
    /// marked as transcript (a "transcript" label or quotes), else (-1, 0).
    /// </summary>
    public static string? StatedTranscriptOf(string audioAnalysis, out (int Start, int Length) span)
    {
        span = (0, 0);
        var text = audioAnalysis.Trim();
        if (text.Length == 0) return null;
        var match = StatedTranscript().Match(text);
        if (match.Success)
        {
            var group = match.Groups["t"];
            span = (audioAnalysis.IndexOf(group.Value, StringComparison.Ordinal), group.Length);
            var stated = group.Value.Trim();
            return NoSpeech().IsMatch(stated) ? null : stated;
        }
        var firstLine = text.Split('\n')[0].Trim();
        if (NoSpeech().IsMatch(firstLine)) return null;
        var quoted = In(firstLine);
        if (quoted.Count == 0)
        {
            // An unmarked first line may be description, not transcript: it is compared, but not blanked for the other checks.
            span = (-1, 0);
            return firstLine;
        }
        span = (audioAnalysis.IndexOf(firstLine, StringComparison.Ordinal) + quoted[0].Offset, quoted[0].Quote.Length);
        return quoted[0].Quote;
    }
}
