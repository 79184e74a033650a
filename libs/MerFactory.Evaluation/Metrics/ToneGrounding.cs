using System.Globalization;
using MerFactory.Evaluation.Evidence;
using MerFactory.Evaluation.Lexicon;
using MerFactory.Evaluation.Text;

namespace MerFactory.Evaluation.Metrics;

/// <summary>
/// Tone claims checked against our prosody measures. A claim is unsupported only when the measure is clearly on the
/// other side (the bands below leave a margin around MerFactory's own prosody wording), or when no speech was found.
/// </summary>
public static class ToneGrounding
{
    /// <summary>"Loud"/"shouting" needs a level above this (LUFS, else dBFS); MerFactory's prosody calls below −28 "quiet".</summary>
    public const double LoudMinimumDb = -30;

    /// <summary>"Quiet"/"whispering" needs a level below this; MerFactory's prosody calls −18 and above "loud".</summary>
    public const double QuietMaximumDb = -20;

    /// <summary>Words per second: "fast" below <see cref="FastMinimumRate"/>, "slow" above <see cref="SlowMaximumRate"/> is unsupported (conversational speech is ~2.5–3).</summary>
    public const double FastMinimumRate = 2.0, SlowMaximumRate = 3.5;

    /// <summary>Pitch slope (semitones/s) that counts as the opposite direction of a rising or falling claim.</summary>
    public const double OppositeSlope = 0.5;

    /// <summary>Pitch range (semitones): "monotone" needs less than <see cref="MonotoneMaximumRange"/>, "animated" at least <see cref="VariedMinimumRange"/>.</summary>
    public const double MonotoneMaximumRange = 8, VariedMinimumRange = 3;

    /// <summary>"Trembling" needs pitch variation (std. dev., semitones) of at least this: a steady voice does not tremble.</summary>
    public const double TremblingMinimumStdDev = 1.0;

    /// <summary>"Pauses" are unsupported when speech this long (s) has none.</summary>
    public const double PausesMinimumSpeech = 2.0;

    public static void Evaluate(RecordEvidence record, RecordEvaluation result)
    {
        var claims = Extract(record.Texts);
        result.Set(MetricNames.ToneClaims, claims.Count);
        if (record.Speech is not { } speech) { result.Null(MetricNames.ToneSupportRate, record.MissingReason("transcript", "no transcript sidecar (no prosody)")); return; }
        int supported = 0, counted = 0;
        foreach (var (field, text, claim) in claims)
        {
            var (status, evidence) = Check(claim, speech);
            result.Cue(new CitedCue("tone", field, text, claim.ToString().ToLowerInvariant(), status, evidence));
            if (status == CueStatus.Unmeasured) continue;
            counted++;
            if (status == CueStatus.Supported) supported++;
            else result.Flag(FlagCodes.UnsupportedTone, $"{field}: \"{text}\" ({claim.ToString().ToLowerInvariant()}) is unsupported: {evidence}");
        }
        if (counted == 0) result.Null(MetricNames.ToneSupportRate, claims.Count == 0 ? "no tone claim" : "no claimed tone is measurable in the prosody");
        else result.Set(MetricNames.ToneSupportRate, supported / (double)counted);
    }

    public static IReadOnlyList<(string Field, string Text, ToneClaim Claim)> Extract(RecordTexts texts)
    {
        var claims = new List<(string, string, ToneClaim)>();
        foreach (var (field, raw) in texts.LlmTexts())
        {
            if (field is "visual_description" or "facial_description") continue; // pictures have no voice
            var text = field == "audio_analysis" ? QuoteGrounding.WithoutStatedTranscript(raw) : raw;
            foreach (var sentence in TextTokens.Sentences(text))
            {
                if (ToneLexicon.BackgroundContext.IsMatch(sentence)) continue;
                var voice = ToneLexicon.VoiceContext.IsMatch(sentence) || field == "audio_analysis";
                var tokens = TextTokens.Tokenize(sentence);
                var seen = new HashSet<ToneClaim>();
                foreach (System.Text.RegularExpressions.Match m in ToneLexicon.Combined.Matches(sentence))
                {
                    var (claim, selfEvident) = ToneLexicon.PhraseOf(m);
                    if (!selfEvident && !voice) continue;
                    var index = tokens.FindIndex(t => t.Offset >= m.Index);
                    if (index >= 0 && TextTokens.IsNegated(tokens, index)) continue;
                    if (seen.Add(claim)) claims.Add((field, m.Value, claim));
                }
            }
        }
        return claims;
    }

    private static (CueStatus, string) Check(ToneClaim claim, SpeechEvidence speech)
    {
        var c = CultureInfo.InvariantCulture;
        if (!speech.HasSpeech) return (CueStatus.Unsupported, "our ASR and VAD found no speech");
        bool? ok;
        string evidence;
        switch (claim)
        {
            case ToneClaim.Loud or ToneClaim.Quiet:
                evidence = speech.LevelDb is { } level ? string.Create(c, $"speech level {level:0.0} dB") : "level not measured";
                ok = speech.LevelDb is { } l ? (claim == ToneClaim.Loud ? l >= LoudMinimumDb : l <= QuietMaximumDb) : null;
                break;
            case ToneClaim.Fast or ToneClaim.Slow:
                evidence = speech.WordsPerSecond is { } rate ? string.Create(c, $"{rate:0.00} words/s") : "rate not measured";
                ok = speech.WordsPerSecond is { } r ? (claim == ToneClaim.Fast ? r >= FastMinimumRate : r <= SlowMaximumRate) : null;
                break;
            case ToneClaim.Rising or ToneClaim.Falling:
                evidence = speech.PitchSlopeSemitonesPerSecond is { } slope ? string.Create(c, $"pitch slope {slope:+0.00;-0.00} st/s") : "pitch slope not measured";
                ok = speech.PitchSlopeSemitonesPerSecond is { } s ? (claim == ToneClaim.Rising ? s > -OppositeSlope : s < OppositeSlope) : null;
                break;
            case ToneClaim.Monotone or ToneClaim.Varied:
                evidence = speech.PitchRangeSemitones is { } range ? string.Create(c, $"pitch range {range:0.0} st") : "pitch range not measured";
                ok = speech.PitchRangeSemitones is { } g ? (claim == ToneClaim.Monotone ? g < MonotoneMaximumRange : g >= VariedMinimumRange) : null;
                break;
            case ToneClaim.Pauses:
                evidence = string.Create(c, $"{speech.PauseCount} pauses in {speech.SpeechSeconds:0.0} s of speech");
                ok = speech.PauseCount > 0 || speech.SpeechSeconds < PausesMinimumSpeech;
                break;
            default:
                evidence = speech.PitchStdDevSemitones is { } sd ? string.Create(c, $"pitch std. dev. {sd:0.00} st") : "pitch variation not measured";
                ok = speech.PitchStdDevSemitones is { } d ? d >= TremblingMinimumStdDev : null;
                break;
        }
        return (ok switch { true => CueStatus.Supported, false => CueStatus.Unsupported, null => CueStatus.Unmeasured }, evidence);
    }
}
