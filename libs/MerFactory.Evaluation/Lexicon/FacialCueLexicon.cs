using System.Text.RegularExpressions;
using MerFactory.Facs.Analysis;

namespace MerFactory.Evaluation.Lexicon;

/// <summary>A facial cue a text can cite and the Action Units that would show it (any one of them suffices).</summary>
public sealed record FacialCue(string Name, IReadOnlyList<string> Aus, Regex Pattern);

/// <summary>How strongly a text says a cue shows, from the words before it ("a broad smile", "a slight frown").</summary>
public enum ClaimedIntensity
{
    Unstated,
    Slight,
    Strong,
}

/// <summary>
/// Facial cues a description may cite: explicit AU codes ("AU12"), MER-Factory's FACS names ("lip corner puller"),
/// and everyday phrases ("smiling", "furrowed brow", "raised eyebrows", "jaw drop") mapped to the AUs that produce them.
/// </summary>
public static partial class FacialCueLexicon
{
    [GeneratedRegex(@"\bAU\s?0?(\d{1,2})(?:_[rc])?\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    public static partial Regex AuCode();

    /// <summary>Everyday phrases; FACS names are added from <see cref="AuDescriptions.Texts"/>.</summary>
    private static readonly (string Name, string[] Aus, string Pattern)[] Phrases =
    [
        ("smile", ["AU12"], @"smil(?:e|es|ed|ing)|grin(?:s|ned|ning)?|upturned (?:mouth|lips|lip corners)"),
        ("raised cheeks", ["AU06"], @"(?:raised|lifted) cheeks?|cheeks? (?:(?:is|are|was|were) )?(?:raised|lifted)|crow'?s[- ]feet"),
        ("frown", ["AU04"], @"frown(?:s|ed|ing)?|(?:furrowed|knitted|lowered|drawn) (?:eye)?brows?|(?:eye)?brows? (?:(?:is|are|was|were) )?(?:furrowed|knitted|lowered|drawn together)"),
        ("raised eyebrows", ["AU01", "AU02"], @"(?:raised|lifted|arched) (?:eye)?brows?|(?:eye)?brows? (?:(?:is|are|was|were) )?(?:raised|lifted|arched)"),
        ("wide eyes", ["AU05"], @"wide[- ]eyed|(?:wide|widened|wide-open) eyes|eyes (?:(?:is|are|was|were) )?(?:wide|widened|wide open)"),
        ("narrowed eyes", ["AU07"], @"squint(?:s|ed|ing)?|narrowed eyes|eyes (?:(?:is|are|was|were) )?narrowed|tightened (?:eye)?lids"),
        ("wrinkled nose", ["AU09"], @"wrinkled nose|nose wrinkl(?:ed|es|ing)|wrinkl(?:es|ing) (?:his|her|their|the) nose"),
        ("raised upper lip", ["AU10"], @"(?:raised|curled) upper lip|upper lip (?:(?:is|are|was|were) )?(?:raised|curled)|snarl(?:s|ed|ing)?"),
        ("dimples", ["AU14"], @"dimpl(?:e|es|ed|ing)"),
        ("downturned mouth", ["AU15"], @"downturned (?:mouth|lips|lip corners)|(?:corners of the mouth|mouth corners|lip corners) (?:turned |pulled )?down(?:ward)?"),
        ("stretched lips", ["AU20"], @"(?:stretched|tensed) lips|lips (?:(?:is|are|was|were) )?(?:stretched|tensed)"),
        ("pressed lips", ["AU23"], @"(?:pressed|tightened|tight|pursed) lips|lips (?:(?:is|are|was|were) )?(?:pressed|tightened|pursed)"),
        ("open mouth", ["AU25", "AU26"], @"open mouth|mouth (?:(?:is|are|was|were) )?(?:open|opened|agape)|(?:parted|open) lips|lips (?:(?:is|are|was|were) )?(?:parted|apart)|(?:dropped|slack) jaw|jaw (?:dropped|drops|slack)"),
        ("blink", ["AU45"], @"blink(?:s|ed|ing)?"),
    ];

    public static IReadOnlyList<FacialCue> Cues { get; } = Build();

    /// <summary>All cues in one regex, group <c>c{i}</c> for <see cref="Cues"/>[i]: one pass over a text instead of one per cue.</summary>
    public static Regex Combined { get; } = new(
        string.Join('|', Cues.Select((cue, i) => $"(?<c{i}>{cue.Pattern})")),
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Compiled);

    /// <summary>The cue a match of <see cref="Combined"/> found.</summary>
    public static FacialCue CueOf(Match match)
    {
        for (var i = 0; i < Cues.Count; i++) if (match.Groups[GroupNumbers[i]].Success) return Cues[i];
        throw new InvalidOperationException("The match is not one of the combined cue patterns.");
    }

    private static readonly int[] GroupNumbers = [.. Cues.Select((_, i) => Combined.GroupNumberFromName($"c{i}"))];

    private static List<FacialCue> Build()
    {
        var cues = new List<FacialCue>();
        foreach (var (column, text) in AuDescriptions.Texts)
        {
            // "Lip corner puller (smile)" is cited as "lip corner puller".
            var name = text.Split(" (")[0].ToLowerInvariant();
            var pattern = Regex.Escape(name).Replace(@"\ ", @"[\s-]+", StringComparison.Ordinal);
            cues.Add(new FacialCue(name, [column[..4]], new Regex($@"\b{pattern}s?\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Compiled)));
        }
        foreach (var (name, aus, pattern) in Phrases)
            cues.Add(new FacialCue(name, aus, new Regex($@"\b(?:{pattern})\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Compiled)));
        return cues;
    }

    private static readonly HashSet<string> StrongWords = new(StringComparer.Ordinal)
    {
        "strong", "strongly", "intense", "intensely", "pronounced", "broad", "broadly", "big", "deep", "deeply", "heavy", "heavily",
        "marked", "markedly", "wide", "huge", "exaggerated", "full",
    };

    private static readonly HashSet<string> SlightWords = new(StringComparer.Ordinal)
    {
        "slight", "slightly", "subtle", "subtly", "faint", "faintly", "mild", "mildly", "weak", "weakly", "small", "barely", "hint", "trace", "minimal",
    };

    /// <summary>The intensity the words just before a cue claim (within three words).</summary>
    public static ClaimedIntensity IntensityBefore(IReadOnlyList<Text.Token> tokensBefore)
    {
        for (var i = tokensBefore.Count - 1; i >= Math.Max(0, tokensBefore.Count - 3); i--)
        {
            if (StrongWords.Contains(tokensBefore[i].Word)) return ClaimedIntensity.Strong;
            if (SlightWords.Contains(tokensBefore[i].Word)) return ClaimedIntensity.Slight;
        }
        return ClaimedIntensity.Unstated;
    }
}
