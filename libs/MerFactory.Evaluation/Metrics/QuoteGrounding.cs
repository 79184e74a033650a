using System.Globalization;
using System.Text.RegularExpressions;
using MerFactory.Evaluation.Evidence;
using MerFactory.Evaluation.Text;

namespace MerFactory.Evaluation.Metrics;

/// <summary>
/// Quoted speech must occur in our transcript: the best-matching span's CER must be at most <see cref="Tolerance"/>.
/// A quote counts as speech in the audio description, or in a sentence with a speech verb ("says", "asks", "shouts");
/// quoted on-screen text or titles elsewhere are not speech. The transcript the audio description states is scored by WER instead.
/// </summary>
public static partial class QuoteGrounding
{
    /// <summary>CER tolerance: a quote may differ from what was said by a quarter of its characters (ASR errors, paraphrased punctuation).</summary>
    public const double Tolerance = 0.25;

    [GeneratedRegex(@"\b(?:say|says|said|saying|ask|asks|asked|asking|repl(?:y|ies|ied)|shout(?:s|ed|ing)?|yell(?:s|ed)?|whisper(?:s|ed|ing)?|exclaim(?:s|ed)?|utter(?:s|ed)?|state(?:s|d)?|tell(?:s)?|told|remark(?:s|ed)?|mutter(?:s|ed)?|words?|speech|spoken|transcript|line)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SpeechVerb();

    public static void Evaluate(RecordEvidence record, RecordEvaluation result)
    {
        var quotes = new List<(string Field, string Quote)>();
        foreach (var (field, text) in record.Texts.LlmTexts())
        {
            var source = field == "audio_analysis" ? WithoutStatedTranscript(text) : text;
            foreach (var (quote, offset) in QuotedSpeech.In(source))
                if (field == "audio_analysis" || SpeechVerb().IsMatch(TextTokens.SentenceAt(source, offset))) quotes.Add((field, quote));
        }
        result.Set(MetricNames.QuotesCited, quotes.Count);
        if (record.Speech is not { } speech) { result.Null(MetricNames.QuoteSupportRate, record.MissingReason("transcript", "no transcript sidecar")); return; }
        if (quotes.Count == 0) { result.Null(MetricNames.QuoteSupportRate, "no speech quoted"); return; }
        var supported = 0;
        foreach (var (field, quote) in quotes)
        {
            var cer = speech.HasSpeech ? EditDistance.BestSpanCer(quote, speech.Text) : 1;
            var evidence = speech.HasSpeech
                ? $"closest transcript span CER {cer.ToString("0.00", CultureInfo.InvariantCulture)} (tolerance {Tolerance.ToString("0.00", CultureInfo.InvariantCulture)}); transcript: \"{TranscriptAgreement.Shorten(speech.Text)}\""
                : "our ASR found no speech";
            var ok = cer <= Tolerance;
            if (ok) supported++;
            else result.Flag(FlagCodes.UnsupportedQuote, $"{field}: \"{TranscriptAgreement.Shorten(quote)}\" is not in the transcript: {evidence}");
            result.Cue(new CitedCue("quote", field, quote, "transcript", ok ? CueStatus.Supported : CueStatus.Unsupported, evidence));
        }
        result.Set(MetricNames.QuoteSupportRate, supported / (double)quotes.Count);
    }

    /// <summary>The audio description with its stated transcript blanked out (same length, so offsets hold).</summary>
    internal static string WithoutStatedTranscript(string audioAnalysis)
    {
        if (QuotedSpeech.StatedTranscriptOf(audioAnalysis, out var span) is null || span.Length == 0 || span.Start < 0) return audioAnalysis;
        return string.Concat(audioAnalysis.AsSpan(0, span.Start), new string(' ', span.Length), audioAnalysis.AsSpan(span.Start + span.Length));
    }
}
