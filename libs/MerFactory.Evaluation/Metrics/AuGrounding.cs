using System.Globalization;
using MerFactory.Evaluation.Evidence;
using MerFactory.Evaluation.Lexicon;
using MerFactory.Evaluation.Text;
using MerFactory.Facs.Analysis;

namespace MerFactory.Evaluation.Metrics;

/// <summary>
/// AU grounding: every AU code, FACS name and facial-cue phrase the LLM texts cite is checked against the AU table at
/// the cited moment (a time in the same sentence) or else at the record's peaks. Supported: the AU is active (intensity
/// above MER-Factory's 0.8) there. Unsupported: it is not. Contradicted: a negated cue ("no smile") over an AU clearly
/// active, or a claimed intensity ("broad smile", "slight frown") two FACS strength bands off the measured one.
/// </summary>
public static class AuGrounding
{
    public const double ActiveThreshold = AuDescriptions.DefaultActiveThreshold;

    /// <summary>A negated cue is contradicted only when the AU is at least moderately active (FACS band 2·0.8).</summary>
    public const double ClearlyActive = 2 * ActiveThreshold;

    public sealed record Citation(string Field, string Text, IReadOnlyList<string> Aus, ClaimedIntensity Intensity, bool Negated, double? MomentSeconds);

    public static void Evaluate(RecordEvidence record, RecordEvaluation result)
    {
        var citations = Extract(record.Texts);
        result.Set(MetricNames.AuCuesCited, citations.Count);
        if (record.AuTable is not { Count: > 0 } table)
        {
            var reason = record.MissingReason("au_table", "the AU table is empty");
            foreach (var metric in new[] { MetricNames.AuSupportRate, MetricNames.AuUnsupported, MetricNames.AuContradicted }) result.Null(metric, reason);
            return;
        }
        var peaks = AuEvidence.PeakMoments(record);
        int supported = 0, unsupported = 0, contradicted = 0;
        foreach (var citation in citations)
        {
            var moments = citation.MomentSeconds is { } at ? [at] : peaks.Count > 0 ? peaks : [RecordFolderReader.OverallPeakSeconds(table)];
            var (status, evidence) = Check(table, citation, moments);
            switch (status)
            {
                case CueStatus.Supported: supported++; break;
                case CueStatus.Unsupported: unsupported++; break;
                case CueStatus.Contradicted: contradicted++; break;
            }
            // A negated cue is shown as such: "no smile" is supported when the AU is absent.
            var cited = citation.Negated ? "no " + citation.Text : citation.Text;
            result.Cue(new CitedCue("au", citation.Field, cited, string.Join("/", citation.Aus), status, evidence));
            if (status is CueStatus.Unsupported or CueStatus.Contradicted)
                result.Flag(FlagCodes.UnsupportedAu, $"{citation.Field}: \"{cited}\" ({string.Join("/", citation.Aus)}) is {status.ToString().ToLowerInvariant()}: {evidence}");
        }
        result.Set(MetricNames.AuUnsupported, unsupported);
        result.Set(MetricNames.AuContradicted, contradicted);
        var counted = supported + unsupported + contradicted;
        if (counted == 0) result.Null(MetricNames.AuSupportRate, citations.Count == 0 ? "no AU or facial cue cited" : "no cited AU is measured by the AU table");
        else result.Set(MetricNames.AuSupportRate, supported / (double)counted);
    }

    private static (CueStatus Status, string Evidence) Check(Facs.OpenFace.OpenFaceTable table, Citation citation, IReadOnlyList<double> moments)
    {
        double? strongest = null;
        string? where = null;
        foreach (var au in citation.Aus)
        {
            foreach (var moment in moments)
            {
                if (AuEvidence.ValueNear(table, au, moment) is not { } value || value <= strongest) continue;
                strongest = value;
                where = $"{au} {value.ToString("0.00", CultureInfo.InvariantCulture)} at {moment.ToString("0.00", CultureInfo.InvariantCulture)} s";
            }
        }
        var scope = citation.MomentSeconds is null ? (moments.Count == 1 ? " (overall peak)" : $" (best of {moments.Count} peaks)") : " (cited moment)";
        if (strongest is not { } measured) return (CueStatus.Unmeasured, "not measured by the AU table");
        var evidence = where + scope;
        if (citation.Negated) return measured >= ClearlyActive ? (CueStatus.Contradicted, evidence) : (CueStatus.Supported, evidence);
        if (measured <= ActiveThreshold) return (CueStatus.Unsupported, evidence);
        var band = EmotionRules.StrengthOf(measured, ActiveThreshold);
        return citation.Intensity switch
        {
            ClaimedIntensity.Strong when band == EmotionStrength.Slight => (CueStatus.Contradicted, evidence + ", a slight intensity"),
            ClaimedIntensity.Slight when band == EmotionStrength.Strong => (CueStatus.Contradicted, evidence + ", a strong intensity"),
            _ => (CueStatus.Supported, evidence),
        };
    }

    /// <summary>The facial cues of the LLM texts, overlapping matches merged (the longest wins).</summary>
    public static IReadOnlyList<Citation> Extract(RecordTexts texts)
    {
        var citations = new List<Citation>();
        foreach (var (field, text) in texts.LlmTexts())
        {
            var matches = new List<(int Start, int Length, string Text, IReadOnlyList<string> Aus)>();
            foreach (System.Text.RegularExpressions.Match m in FacialCueLexicon.AuCode().Matches(text))
                matches.Add((m.Index, m.Length, m.Value, ["AU" + int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture).ToString("00", CultureInfo.InvariantCulture)]));
            // FACS names come before the everyday phrases in the combined pattern, so at one position the FACS name wins.
            foreach (System.Text.RegularExpressions.Match m in FacialCueLexicon.Combined.Matches(text))
                matches.Add((m.Index, m.Length, m.Value, FacialCueLexicon.CueOf(m).Aus));
            var taken = new List<(int Start, int End)>();
            foreach (var match in matches.OrderBy(m => m.Start).ThenByDescending(m => m.Length))
            {
                if (taken.Any(t => match.Start < t.End && t.Start < match.Start + match.Length)) continue;
                taken.Add((match.Start, match.Start + match.Length));
                var before = TextTokens.Tokenize(ClauseBefore(text, match.Start));
                var negated = before.Count > 0 && TextTokens.IsNegated([.. before, new Token("", match.Start)], before.Count, window: 4);
                var moment = TimeMentions.NearestInSentence(text, match.Start)?.Seconds;
                citations.Add(new Citation(field, match.Text, match.Aus, FacialCueLexicon.IntensityBefore(before), negated, moment));
            }
        }
        return citations;
    }

    /// <summary>The text of the clause before <paramref name="offset"/>, so "smiling, not frowning" negates only the frown.</summary>
    private static string ClauseBefore(string text, int offset)
    {
        var start = offset;
        while (start > 0 && text[start - 1] is not (',' or ';' or '.' or '!' or '?' or '\n' or ':')) start--;
        return text[start..offset];
    }
}
