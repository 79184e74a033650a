namespace MerFactory.Evaluation;

/// <summary>
/// The metric names of <c>{id}_eval.json</c>, <c>evaluation.json</c> and <c>evaluation.csv</c> (stable: the dashboard,
/// exports and the JSON schema <c>schemas/eval.schema.json</c> use them). Every record carries every name: a value, or
/// null with a reason in <c>reasons</c>.
/// </summary>
public static class MetricNames
{
    public const string TranscriptWer = "transcript_wer";
    public const string TranscriptCer = "transcript_cer";
    public const string AuCuesCited = "au_cues_cited";
    public const string AuSupportRate = "au_support_rate";
    public const string AuUnsupported = "au_unsupported";
    public const string AuContradicted = "au_contradicted";
    public const string FacsConsistency = "facs_consistency";
    public const string QuotesCited = "quotes_cited";
    public const string QuoteSupportRate = "quote_support_rate";
    public const string ToneClaims = "tone_claims";
    public const string ToneSupportRate = "tone_support_rate";
    public const string TimesCited = "times_cited";
    public const string TimeInRangeRate = "time_in_range_rate";
    public const string PeakTimeMatchRate = "peak_time_match_rate";
    public const string EmotionAgreementF1 = "emotion_agreement_f1";
    public const string LabelHit = "label_hit";
    public const string LabelWheelHit = "label_wheel_hit";
    public const string LabelF1 = "label_f1";
    public const string Distinct1 = "distinct_1";
    public const string Distinct2 = "distinct_2";
    public const string RepetitionRate = "repetition_rate";
    public const string Fkgl = "fkgl";
    public const string WordCount = "word_count";
    public const string ConclusionPresent = "conclusion_present";
    public const string DegradedSteps = "degraded_steps";
    public const string ModalitiesPresent = "modalities_present";
    public const string CompositeScore = "composite_score";
    public const string CompositeCoverage = "composite_coverage";

    /// <summary>Every metric, in the order files list them.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        TranscriptWer, TranscriptCer, AuCuesCited, AuSupportRate, AuUnsupported, AuContradicted, FacsConsistency,
        QuotesCited, QuoteSupportRate, ToneClaims, ToneSupportRate, TimesCited, TimeInRangeRate, PeakTimeMatchRate,
        EmotionAgreementF1, LabelHit, LabelWheelHit, LabelF1, Distinct1, Distinct2, RepetitionRate, Fkgl, WordCount,
        ConclusionPresent, DegradedSteps, ModalitiesPresent, CompositeScore, CompositeCoverage,
    ];
}

/// <summary>The stable flag codes: what a record gets flagged for.</summary>
public static class FlagCodes
{
    /// <summary>A cited AU or facial cue is below the active threshold at the cited moment (or every peak), or contradicted.</summary>
    public const string UnsupportedAu = "unsupported_au";

    /// <summary>The summary's concluded emotion has the opposite valence of every FACS emotion at the peaks.</summary>
    public const string ContradictedEmotion = "contradicted_emotion";

    /// <summary>Quoted speech does not occur in our transcript (best-matching span's CER above the tolerance).</summary>
    public const string UnsupportedQuote = "unsupported_quote";

    /// <summary>A tone claim (loud/quiet, fast/slow, rising/falling, monotone, pauses, trembling) the prosody contradicts.</summary>
    public const string UnsupportedTone = "unsupported_tone";

    /// <summary>A cited time lies outside the clip.</summary>
    public const string TimeOutOfRange = "time_out_of_range";

    /// <summary>A time the text ties to a peak is not near any peak.</summary>
    public const string TimeNotAtPeak = "time_not_at_peak";

    /// <summary>A modality the record type should have is missing (no AU table, transcript, audio or video description).</summary>
    public const string MissingModality = "missing_modality";

    /// <summary>A step of the record ran degraded (e.g. frames instead of video) or failed.</summary>
    public const string DegradedStep = "degraded_step";

    /// <summary>The synthesis lacks the required concluding sentence.</summary>
    public const string MissingConclusion = "missing_conclusion";

    /// <summary>The LLM's transcript disagrees with ours (WER above the tolerance).</summary>
    public const string TranscriptMismatch = "transcript_mismatch";

    public static IReadOnlyList<string> All { get; } =
    [
        UnsupportedAu, ContradictedEmotion, UnsupportedQuote, UnsupportedTone, TimeOutOfRange, TimeNotAtPeak,
        MissingModality, DegradedStep, MissingConclusion, TranscriptMismatch,
    ];
}
