using MerFactory.Facs.OpenFace;

namespace MerFactory.GateAgent;

/// <summary>The two synthesis tasks of MER-Factory (<c>--task</c>); the gate tells the refiner which one it serves.</summary>
public enum GateTask
{
    /// <summary>"MERR": emotional reasoning.</summary>
    Merr,

    /// <summary>"Sentiment Analysis".</summary>
    SentimentAnalysis,
}

public static class GateTasks
{
    /// <summary>MER-Factory's name of the task: "MERR" or "Sentiment Analysis".</summary>
    public static string DisplayName(this GateTask task) => task == GateTask.SentimentAnalysis ? "Sentiment Analysis" : "MERR";
}

/// <summary>The per-modality outputs the gate judges; also the (possibly regenerated, dropped or rejected) result.</summary>
public sealed record GateEvidence
{
    /// <summary>What MER-Factory writes in place of the peak-frame AU description when the gate rejects the AU evidence.</summary>
    public const string AuRejectedDescription = "AU data rejected by Gate Agent due to low quality/inconsistency.";

    /// <summary>What MER-Factory writes in place of the chronological emotion peaks when the gate rejects the AU evidence.</summary>
    public const string AuRejectedEmotion = "neutral (AU rejected)";

    public string AudioAnalysis { get; init; } = "";

    public string VideoDescription { get; init; } = "";

    public string PeakFrameDescription { get; init; } = "";

    /// <summary>MER-Factory's <c>peak_frame_au_description</c>.</summary>
    public string PeakFrameAuDescription { get; init; } = "";

    /// <summary>MER-Factory's <c>detected_emotions</c>, e.g. "Peak at 2.88s: angry (slight), contempt (slight)".</summary>
    public IReadOnlyList<string> DetectedEmotions { get; init; } = [];

    /// <summary>The text of one modality; for <see cref="GateModality.Au"/> the peak-frame AU description.</summary>
    public string Text(GateModality modality) => modality switch
    {
        GateModality.Audio => AudioAnalysis,
        GateModality.Video => VideoDescription,
        GateModality.PeakFrame => PeakFrameDescription,
        GateModality.Au => PeakFrameAuDescription,
        _ => throw new ArgumentOutOfRangeException(nameof(modality), modality, "Unknown gate modality."),
    };

    /// <summary>Whether the modality has anything to judge (AU counts when either the description or the peaks exist).</summary>
    public bool IsPresent(GateModality modality) =>
        !string.IsNullOrWhiteSpace(Text(modality)) || (modality == GateModality.Au && DetectedEmotions.Any(e => !string.IsNullOrWhiteSpace(e)));

    /// <summary>A copy with one modality's text replaced (an empty string drops it from synthesis).</summary>
    public GateEvidence WithText(GateModality modality, string text) => modality switch
    {
        GateModality.Audio => this with { AudioAnalysis = text },
        GateModality.Video => this with { VideoDescription = text },
        GateModality.PeakFrame => this with { PeakFrameDescription = text },
        GateModality.Au => this with { PeakFrameAuDescription = text },
        _ => throw new ArgumentOutOfRangeException(nameof(modality), modality, "Unknown gate modality."),
    };

    /// <summary>A copy with the AU evidence replaced by MER-Factory's rejection texts.</summary>
    public GateEvidence WithAuRejected() => this with
    {
        PeakFrameAuDescription = AuRejectedDescription,
        DetectedEmotions = [AuRejectedEmotion],
    };
}

/// <summary>One recognised word with its times in seconds from the start of the audio.</summary>
public sealed record GateTranscriptWord(string Text, double Start, double End);

/// <summary>One transcript segment; <paramref name="Words"/> carries word timings when the engine gave them.</summary>
public sealed record GateTranscriptSegment(double Start, double End, string Text, IReadOnlyList<GateTranscriptWord>? Words = null);

/// <summary>Everything the gate needs for one MER sample: the outputs to judge, the context, and what its tools may read.</summary>
public sealed record GateInput
{
    public required string SampleId { get; init; }

    /// <summary>The outputs of the audio, video, peak-frame and AU steps as they stand.</summary>
    public required GateEvidence Evidence { get; init; }

    /// <summary>Time of the overall peak frame the peak-frame description and AU description refer to.</summary>
    public double? PeakFrameTimestampSeconds { get; init; }

    public string? GroundTruthLabel { get; init; }

    public GateTask Task { get; init; } = GateTask.Merr;

    /// <summary>The source video (or audio) file: volume/duration, motion and subtitle tools read it.</summary>
    public string? MediaPath { get; init; }

    /// <summary>The extracted 16 kHz WAV, when there is one.</summary>
    public string? AudioPath { get; init; }

    /// <summary>
    /// Where the media tools measure the media (the pipeline's media steps); null runs ffmpeg here on
    /// <see cref="MediaPath"/> and <see cref="AudioPath"/>.
    /// </summary>
    public Tools.IGateMedia? Media { get; init; }

    /// <summary>The OpenFace CSV, read on first use when <see cref="AuTable"/> is not given.</summary>
    public string? AuCsvPath { get; init; }

    /// <summary>AU rows already in memory; preferred over <see cref="AuCsvPath"/>.</summary>
    public OpenFaceTable? AuTable { get; init; }

    public string? TranscriptText { get; init; }

    public IReadOnlyList<GateTranscriptSegment> TranscriptSegments { get; init; } = [];

    /// <summary>
    /// The instructions actually sent to the audio, video and peak-frame models, already formatted (label filled in or
    /// left out according to the processing type). The refiner starts from these, not from an unformatted template.
    /// </summary>
    public IReadOnlyDictionary<GateModality, string> OriginalPrompts { get; init; } = new Dictionary<GateModality, string>();
}
