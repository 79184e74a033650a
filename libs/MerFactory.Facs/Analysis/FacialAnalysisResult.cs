using MerFactory.Facs.Formatting;

namespace MerFactory.Facs.Analysis;

/// <summary>A peak of the summed intensity at which at least one emotion rule fired.</summary>
/// <param name="Row">Row of the analysed table.</param>
/// <param name="FrameNumber">OpenFace's 1-based frame number of that row.</param>
/// <param name="Emotions">Sorted by score, highest first (equal scores keep the rule order).</param>
public sealed record EmotionPeak(int Row, int FrameNumber, double Timestamp, double OverallIntensity, IReadOnlyList<EmotionScore> Emotions)
{
    /// <summary>MER-Factory's text: "Peak at 10.20s: disgust (slight), surprise (slight)".</summary>
    public string Text => $"Peak at {PythonFormat.Fixed(Timestamp, 2)}s: {string.Join(", ", Emotions)}";

    public override string ToString() => Text;
}

/// <summary>MER-Factory's <c>overall_peak_frame_info</c>: the row with the highest summed intensity.</summary>
/// <param name="Row">Row of the analysed table (not serialised).</param>
/// <param name="TopAusIntensities">AUs above the active threshold, in CSV column order.</param>
public sealed record OverallPeakFrameInfo(int Row, int FrameNumber, double Timestamp, IReadOnlyList<KeyValuePair<string, double>> TopAusIntensities)
{
    /// <summary>The object MER-Factory writes: <c>{"frame_number", "timestamp", "top_aus_intensities"}</c>.</summary>
    public PythonJsonObject ToPythonJson() => new()
    {
        { "frame_number", FrameNumber },
        { "timestamp", Timestamp },
        { "top_aus_intensities", TopAusIntensities },
    };
}

/// <summary>Everything <see cref="FacialAnalysis.Analyze"/> derives from an AU table.</summary>
public sealed record FacialAnalysisResult
{
    /// <summary>Where the table came from.</summary>
    public required string Source { get; init; }

    /// <summary>Rows analysed (all rows, or the successful ones with <see cref="FacialAnalysisOptions.SkipFailedFrames"/>).</summary>
    public required int RowCount { get; init; }

    /// <summary>Row-wise sum of every "_r" column of the analysed rows.</summary>
    public required double[] OverallIntensity { get; init; }

    /// <summary>Rows that <see cref="Peaks.PeakFinder.FindPeaks"/> returned (height = threshold, distance = peak distance),
    /// whether or not an emotion fired there.</summary>
    public required int[] PeakRows { get; init; }

    /// <summary>The distance in rows passed to the peak finder.</summary>
    public required double PeakDistanceRows { get; init; }

    /// <summary>The peaks at which an emotion fired, in time order.</summary>
    public required IReadOnlyList<EmotionPeak> EmotionPeaks { get; init; }

    /// <summary>MER-Factory's <c>chronological_emotion_peaks</c>: the peak texts, or ["neutral"] when there are none.</summary>
    public required IReadOnlyList<string> ChronologicalEmotionPeaks { get; init; }

    /// <summary>True when at least one emotion peak was found (MER-Factory's "expressive" flag).</summary>
    public bool IsExpressive => EmotionPeaks.Count > 0;

    /// <summary>The overall peak frame; null only when no row was analysed.</summary>
    public required OverallPeakFrameInfo? OverallPeak { get; init; }

    /// <summary>MER-Factory's <c>peak_frame_au_description</c>: the active AUs of the overall peak frame, or
    /// "Neutral expression at the overall peak frame.".</summary>
    public required string OverallPeakAuDescription { get; init; }
}
