using MerFactory.Facs.OpenFace;

namespace MerFactory.Evaluation.Evidence;

/// <summary>The texts a record states: what the LLM wrote for each modality and the synthesis (empty when absent).</summary>
public sealed record RecordTexts
{
    /// <summary>mer and image: <c>final_summary</c>.</summary>
    public string FinalSummary { get; init; } = "";

    /// <summary>mer: <c>visual_objective</c>; image: <c>image_visual_description</c>.</summary>
    public string VisualDescription { get; init; } = "";

    /// <summary>image: <c>llm_au_description</c> (the LLM's reading of the AU list).</summary>
    public string FacialDescription { get; init; } = "";

    /// <summary>mer: <c>coarse_descriptions_at_peak.audio_analysis</c>; audio: <c>audio_analysis</c>.</summary>
    public string AudioAnalysis { get; init; } = "";

    /// <summary>mer: <c>video_content</c>; video: <c>llm_video_summary</c>.</summary>
    public string VideoDescription { get; init; } = "";

    /// <summary>The texts written by an LLM, by field name, in a fixed order; the AU template text is not one of them.</summary>
    public IEnumerable<(string Field, string Text)> LlmTexts()
    {
        if (FinalSummary.Length > 0) yield return ("final_summary", FinalSummary);
        if (FacialDescription.Length > 0) yield return ("facial_description", FacialDescription);
        if (VisualDescription.Length > 0) yield return ("visual_description", VisualDescription);
        if (VideoDescription.Length > 0) yield return ("video_description", VideoDescription);
        if (AudioAnalysis.Length > 0) yield return ("audio_analysis", AudioAnalysis);
    }
}

/// <summary>One word of our transcript with its times (seconds).</summary>
public sealed record TimedWord(string Word, double Start, double End);

/// <summary>What our own ASR and prosody measured (<c>{id}_transcript.json</c>); null fields were not measurable.</summary>
public sealed record SpeechEvidence
{
    public required string Status { get; init; }
    public required string Text { get; init; }
    public double DurationSeconds { get; init; }
    public IReadOnlyList<TimedWord> Words { get; init; } = [];
    public double SpeechSeconds { get; init; }

    /// <summary>Integrated loudness (LUFS) when measurable, else the speech RMS (dBFS).</summary>
    public double? LevelDb { get; init; }

    public double? WordsPerSecond { get; init; }
    public double? PitchSlopeSemitonesPerSecond { get; init; }
    public double? PitchRangeSemitones { get; init; }
    public double? PitchStdDevSemitones { get; init; }
    public int PauseCount { get; init; }
    public double LongestPauseSeconds { get; init; }

    public bool HasSpeech => Status == "transcribed";
}

/// <summary>One step of <c>{id}_steps.json</c>.</summary>
public sealed record StepEvidence(string Step, string Status, string? Degradation);

/// <summary>
/// Everything known about one record: its texts and the measured evidence they are checked against. A missing
/// artefact is null, and <see cref="Missing"/> says why, so metrics that need it are null with that reason.
/// </summary>
public sealed record RecordEvidence
{
    public required string Id { get; init; }

    /// <summary>mer, image, audio, video or au: which analysis JSON the record has.</summary>
    public required string Kind { get; init; }

    public RecordTexts Texts { get; init; } = new();

    /// <summary>The AU table (<c>{id}.csv</c>); null when absent or unreadable.</summary>
    public OpenFaceTable? AuTable { get; init; }

    /// <summary>FACS emotion peaks as the record states them ("Peak at 2.88s: angry (slight)").</summary>
    public IReadOnlyList<string> EmotionPeaks { get; init; } = [];

    /// <summary>Time of the overall peak frame (seconds), when the record or the AU table gives one.</summary>
    public double? OverallPeakSeconds { get; init; }

    public SpeechEvidence? Speech { get; init; }

    /// <summary>Length of the clip in seconds (media probe, else transcript, else AU table).</summary>
    public double? DurationSeconds { get; init; }

    public IReadOnlyList<StepEvidence>? Steps { get; init; }

    /// <summary>Ground truth: the label file's, else the record's <c>ground_truth_label</c>.</summary>
    public string? Label { get; init; }

    /// <summary>Why an artefact is missing, by artefact name (<c>au_table</c>, <c>transcript</c>, <c>media</c>, <c>steps</c>, ...).</summary>
    public IReadOnlyDictionary<string, string> Missing { get; init; } = new Dictionary<string, string>();

    public string MissingReason(string artefact, string fallback) => Missing.TryGetValue(artefact, out var reason) ? reason : fallback;
}
