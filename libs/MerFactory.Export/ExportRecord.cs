namespace MerFactory.Export;

/// <summary>
/// One analysed sample, as read from <c>{id}_*.json</c> (spec §7.2) plus the side files export needs
/// (AU CSV statistics, transcript, extracted audio). Text is kept as written: trimmed, real newlines intact.
/// Fields a type does not have stay empty.
/// </summary>
public sealed record ExportRecord
{
    /// <summary>The sample id: the record folder name (= the input file's stem in MER-Factory's layout).</summary>
    public required string Id { get; init; }

    public required ExportFileType FileType { get; init; }

    /// <summary>Where the record came from (file path, object key or CSV row), for messages.</summary>
    public string Origin { get; init; } = "";

    public string SourcePath { get; init; } = "";

    /// <summary>mer: <c>audio_path</c>; otherwise (and for older outputs without it) the extracted <c>{id}.wav</c> when present.</summary>
    public string? AudioPath { get; init; }

    public IReadOnlyList<string> ChronologicalEmotionPeaks { get; init; } = [];

    public PeakFrameInfo? OverallPeakFrameInfo { get; init; }

    /// <summary>au: <c>overall_peak_au_description</c>.</summary>
    public string OverallPeakAuDescription { get; init; } = "";

    public string VisualExpression { get; init; } = "";
    public string VisualObjective { get; init; } = "";

    /// <summary>mer: <c>coarse_descriptions_at_peak.audio_analysis</c>; audio: <c>audio_analysis</c>.</summary>
    public string AudioAnalysis { get; init; } = "";

    public string VideoContent { get; init; } = "";

    /// <summary>mer and image: <c>final_summary</c>.</summary>
    public string FinalSummary { get; init; } = "";

    /// <summary>video: <c>llm_video_summary</c>.</summary>
    public string LlmVideoSummary { get; init; } = "";

    public string AuTextDescription { get; init; } = "";
    public string LlmAuDescription { get; init; } = "";
    public string ImageVisualDescription { get; init; } = "";

    public string? GroundTruthLabel { get; init; }

    /// <summary>Rows of the OpenFace AU CSV <c>{id}.csv</c>; null when there is none.</summary>
    public int? FrameCount { get; init; }

    /// <summary>AU codes (e.g. <c>AU06</c>) active across the clip according to the AU CSV; empty without one.</summary>
    public IReadOnlyList<string> ClipAuCodes { get; init; } = [];

    /// <summary><c>text</c> of <c>{id}_transcript.json</c>, when that side file exists.</summary>
    public string? Transcript { get; init; }
}

/// <summary><c>overall_peak_frame_info</c>; AU intensities keep their file order.</summary>
public sealed record PeakFrameInfo(int? FrameNumber, double? Timestamp, IReadOnlyList<KeyValuePair<string, double>> TopAuIntensities)
{
    public static PeakFrameInfo Empty { get; } = new(null, null, []);
}
