using System.Globalization;
using System.Text.RegularExpressions;
using MerFactory.Evaluation.Evidence;
using MerFactory.Evaluation.Text;

namespace MerFactory.Evaluation.Metrics;

/// <summary>
/// Cited times must lie within the clip (with <see cref="EndSlackSeconds"/> of slack), and a time the sentence ties to a
/// peak ("the peak at 3.4 s") must be within <see cref="PeakToleranceSeconds"/> of one of the record's peaks.
/// </summary>
public static partial class TemporalGrounding
{
    public const double EndSlackSeconds = 0.1;
    public const double PeakToleranceSeconds = 0.5;

    [GeneratedRegex(@"\b(?:peak|peaks|peaked|peaking|climax|apex|most intense)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PeakWord();

    public static void Evaluate(RecordEvidence record, RecordEvaluation result)
    {
        var cited = record.Texts.LlmTexts().SelectMany(t => TimeMentions.In(t.Text).Select(m => (t.Field, t.Text, Mention: m))).ToList();
        result.Set(MetricNames.TimesCited, cited.Count);
        if (cited.Count == 0)
        {
            result.Null(MetricNames.TimeInRangeRate, "no time cited");
            result.Null(MetricNames.PeakTimeMatchRate, "no time cited");
            return;
        }
        if (record.DurationSeconds is not { } duration) result.Null(MetricNames.TimeInRangeRate, record.MissingReason("duration", "clip length unknown"));
        var peaks = AuEvidence.PeakMoments(record);
        int inRange = 0, atPeak = 0, peakClaims = 0;
        var c = CultureInfo.InvariantCulture;
        foreach (var (field, text, mention) in cited)
        {
            var status = CueStatus.Unmeasured;
            var evidence = "clip length unknown";
            if (record.DurationSeconds is { } length)
            {
                var ok = mention.Seconds >= 0 && mention.Seconds <= length + EndSlackSeconds;
                if (ok) inRange++;
                status = ok ? CueStatus.Supported : CueStatus.Unsupported;
                evidence = string.Create(c, $"clip is {length:0.00} s long");
                if (!ok) result.Flag(FlagCodes.TimeOutOfRange, string.Create(c, $"{field}: \"{mention.Text}\" is past the end of the {length:0.00} s clip"));
            }
            if (PeakWord().IsMatch(TextTokens.SentenceAt(text, mention.Offset)) && peaks.Count > 0)
            {
                peakClaims++;
                var nearest = peaks.MinBy(p => Math.Abs(p - mention.Seconds));
                var near = Math.Abs(nearest - mention.Seconds) <= PeakToleranceSeconds;
                if (near) atPeak++;
                else if (status != CueStatus.Unsupported)
                {
                    status = CueStatus.Unsupported;
                    result.Flag(FlagCodes.TimeNotAtPeak, string.Create(c, $"{field}: \"{mention.Text}\" is called a peak; the nearest peak is at {nearest:0.00} s"));
                }
                evidence += string.Create(c, $"; nearest peak {nearest:0.00} s");
            }
            result.Cue(new CitedCue("time", field, mention.Text, string.Create(c, $"{mention.Seconds:0.00} s"), status, evidence));
        }
        if (record.DurationSeconds is not null) result.Set(MetricNames.TimeInRangeRate, inRange / (double)cited.Count);
        if (peakClaims > 0) result.Set(MetricNames.PeakTimeMatchRate, atPeak / (double)peakClaims);
        else result.Null(MetricNames.PeakTimeMatchRate, peaks.Count == 0 ? "the record has no peaks" : "no cited time is tied to a peak");
    }
}
