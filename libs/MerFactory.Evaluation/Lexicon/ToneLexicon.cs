using System.Text.RegularExpressions;

namespace MerFactory.Evaluation.Lexicon;

/// <summary>A vocal property a text can claim.</summary>
public enum ToneClaim
{
    Loud,
    Quiet,
    Fast,
    Slow,
    Rising,
    Falling,
    Monotone,
    Varied,
    Pauses,
    Trembling,
}

/// <summary>
/// Tone phrases and the prosody claim each makes. Phrases marked self-evident ("shouting", "whispering") are claims
/// about the voice wherever they occur; the others ("fast", "quiet") count only in a sentence about the voice or speech,
/// and never in one about background sound.
/// </summary>
public static class ToneLexicon
{
    private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Compiled;

    public static IReadOnlyList<(ToneClaim Claim, Regex Pattern, bool SelfEvident)> Phrases { get; } =
    [
        (ToneClaim.Loud, new Regex(@"\b(?:shout(?:s|ed|ing)?|yell(?:s|ed|ing)?|scream(?:s|ed|ing)?|bellow(?:s|ed|ing)?|raised voice|rais(?:es|ing) (?:his|her|their) voice)\b", Options), true),
        (ToneClaim.Loud, new Regex(@"\b(?:loud(?:ly|er)?|booming|forceful(?:ly)?)\b", Options), false),
        (ToneClaim.Quiet, new Regex(@"\b(?:whisper(?:s|ed|ing)?|murmur(?:s|ed|ing)?|mumbl(?:e|es|ed|ing)|hushed)\b", Options), true),
        (ToneClaim.Quiet, new Regex(@"\b(?:quiet(?:ly)?|soft(?:ly|-spoken)?|low volume|faint)\b", Options), false),
        (ToneClaim.Fast, new Regex(@"\b(?:fast|rapid(?:ly)?|quick(?:ly)?|hurried(?:ly)?|rushed)\b", Options), false),
        (ToneClaim.Slow, new Regex(@"\b(?:slow(?:ly)?|drawn-out|drawl(?:s|ing)?|measured pace|unhurried)\b", Options), false),
        (ToneClaim.Rising, new Regex(@"\b(?:rising (?:pitch|intonation|inflection|tone)|pitch (?:rises|rising|goes up)|upward inflection|rises in pitch)\b", Options), true),
        (ToneClaim.Falling, new Regex(@"\b(?:falling (?:pitch|intonation|inflection|tone)|pitch (?:falls|falling|drops|goes down)|downward inflection|falls in pitch)\b", Options), true),
        (ToneClaim.Monotone, new Regex(@"\b(?:monotone|monotonous|flat (?:tone|voice|intonation|delivery))\b", Options), true),
        (ToneClaim.Varied, new Regex(@"\b(?:animated|sing-song|highly varied|expressive intonation|lively intonation)\b", Options), false),
        (ToneClaim.Pauses, new Regex(@"\b(?:paus(?:e|es|ed|ing)|hesitat(?:es|ed|ing|ion|ions|ant|antly)|halting)\b", Options), false),
        (ToneClaim.Trembling, new Regex(@"\b(?:trembl(?:e|es|ing)|shaky|shaking voice|quaver(?:s|ing)?|quiver(?:s|ing)?|tremulous|voice (?:cracks|cracking|breaks|breaking))\b", Options), true),
    ];

    /// <summary>All phrases in one regex, group <c>t{i}</c> for <see cref="Phrases"/>[i]: one pass per sentence.</summary>
    public static Regex Combined { get; } = new(string.Join('|', Phrases.Select((p, i) => $"(?<t{i}>{p.Pattern})")), Options);

    /// <summary>The phrase entry a match of <see cref="Combined"/> found.</summary>
    public static (ToneClaim Claim, bool SelfEvident) PhraseOf(Match match)
    {
        for (var i = 0; i < Phrases.Count; i++)
            if (match.Groups[GroupNumbers[i]].Success) return (Phrases[i].Claim, Phrases[i].SelfEvident);
        throw new InvalidOperationException("The match is not one of the combined tone patterns.");
    }

    private static readonly int[] GroupNumbers = [.. Phrases.Select((_, i) => Combined.GroupNumberFromName($"t{i}"))];

    /// <summary>Words that make a sentence about the voice (needed for the claims that are not self-evident).</summary>
    public static Regex VoiceContext { get; } = new(@"\b(?:voice|tone|speak(?:s|ing|er|er's)?|spoke|speech|said|says|saying|talk(?:s|ing)?|pace|rate|pitch|volume|delivery|intonation|utter(?:s|ed|ance)?|words?)\b", Options);

    /// <summary>Sentences about the surroundings: their "quiet" or "loud" is not about the voice.</summary>
    public static Regex BackgroundContext { get; } = new(@"\b(?:background|ambient|ambience|noise|room|music|hum|environment)\b", Options);
}
