using MerFactory.Facs.OpenFace;
using MerFactory.Facs.Peaks;

namespace MerFactory.Facs.Analysis;

/// <summary>
/// MER-Factory's FacialAnalyzer over an OpenFace AU table: summed intensity, chronological emotion peaks, the overall
/// peak frame and AU descriptions (spec §3.2–3.4).
/// </summary>
public static class FacialAnalysis
{
    /// <summary>Runs the whole analysis MER-Factory's AU and MER pipelines do.</summary>
    public static FacialAnalysisResult Analyze(OpenFaceTable table, FacialAnalysisOptions? options = null)
    {
        options ??= new FacialAnalysisOptions();
        options.Validate();

        var rows = options.SkipFailedFrames || options.FaceId is not null
            ? table.Where(frame => (!options.SkipFailedFrames || frame.Success) && (options.FaceId is not { } face || frame.FaceId == face))
            : table;
        var overall = OverallIntensity(rows);
        var distance = PeakDistanceRows(rows, options);
        var peakRows = PeakFinder.FindPeaks(overall, minHeight: options.Threshold, distance: distance);
        var emotionPeaks = EmotionPeaksAt(rows, overall, peakRows, options.EffectiveEmotionThreshold);
        var overallPeak = rows.Count == 0 ? null : OverallPeakFrame(rows, overall, options.ActiveAuThreshold);

        return new FacialAnalysisResult
        {
            Source = table.Source,
            RowCount = rows.Count,
            OverallIntensity = overall,
            PeakRows = peakRows,
            PeakDistanceRows = distance,
            EmotionPeaks = emotionPeaks,
            ChronologicalEmotionPeaks = emotionPeaks.Count == 0 ? ["neutral"] : [.. emotionPeaks.Select(peak => peak.Text)],
            OverallPeak = overallPeak,
            OverallPeakAuDescription = OverallPeakDescription(overallPeak),
        };
    }

    /// <summary>The <c>overall_intensity</c> column: the sum of every "_r" column of each row, in column order.</summary>
    public static double[] OverallIntensity(OpenFaceTable table)
    {
        var sums = new double[table.Count];
        for (var row = 0; row < sums.Length; row++)
        {
            double sum = 0;
            foreach (var value in table.Frames[row].Intensities) sum += value;
            sums[row] = sum;
        }

        return sums;
    }

    /// <summary>
    /// <c>get_chronological_emotion_summary(peak_height, peak_distance, emotion_threshold)</c>: the peak texts in time
    /// order and whether any was found; <c>(["neutral"], false)</c> otherwise.
    /// </summary>
    public static (IReadOnlyList<string> Peaks, bool IsExpressive) ChronologicalEmotionSummary(
        OpenFaceTable table, double peakHeight = 0.8, double peakDistance = 15, double? emotionThreshold = null)
    {
        var overall = OverallIntensity(table);
        var peakRows = PeakFinder.FindPeaks(overall, minHeight: peakHeight, distance: peakDistance);
        var peaks = EmotionPeaksAt(table, overall, peakRows, emotionThreshold ?? peakHeight);
        return peaks.Count == 0 ? (["neutral"], false) : ([.. peaks.Select(peak => peak.Text)], true);
    }

    /// <summary><c>get_overall_peak_frame_info</c>: the first row with the highest summed intensity and its active AUs.</summary>
    public static OverallPeakFrameInfo OverallPeakFrame(OpenFaceTable table, double activeThreshold = AuDescriptions.DefaultActiveThreshold) =>
        table.Count == 0
            ? throw new ArgumentException($"{table.Source}: the AU table has no rows.", nameof(table))
            : OverallPeakFrame(table, OverallIntensity(table), activeThreshold);

    /// <summary>
    /// <c>get_frame_au_summary(frame_index, threshold)</c> (image pipeline): the description of one row's active AUs.
    /// </summary>
    public static string DescribeFrame(OpenFaceTable table, int rowIndex = 0, double threshold = AuDescriptions.DefaultActiveThreshold)
    {
        if (rowIndex < 0 || rowIndex >= table.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(rowIndex), rowIndex, $"{table.Source}: row {rowIndex} is out of range; the table has {table.Count} rows.");
        }

        return AuDescriptions.Describe(AuDescriptions.ActiveAus(table, rowIndex, threshold));
    }

    /// <summary>The frame rate shown by the timestamps (median step), or null when it cannot be told.</summary>
    public static double? EstimateFramesPerSecond(OpenFaceTable table)
    {
        var steps = new List<double>(Math.Max(0, table.Count - 1));
        for (var i = 1; i < table.Count; i++)
        {
            var step = table.Frames[i].Timestamp - table.Frames[i - 1].Timestamp;
            if (step > 0 && double.IsFinite(step)) steps.Add(step);
        }

        if (steps.Count == 0) return null;
        steps.Sort();
        var median = steps.Count % 2 == 1 ? steps[steps.Count / 2] : (steps[steps.Count / 2 - 1] + steps[steps.Count / 2]) / 2;
        return 1 / median;
    }

    private static double PeakDistanceRows(OpenFaceTable rows, FacialAnalysisOptions options)
    {
        if (options.PeakDistanceSeconds is not { } seconds) return options.PeakDistanceFrames;

        var fps = options.FramesPerSecond ?? EstimateFramesPerSecond(rows);
        if (fps is null)
        {
            // One row, or timestamps that never advance: there is nothing to space apart.
            return 1;
        }

        return Math.Max(1, seconds * fps.Value);
    }

    private static List<EmotionPeak> EmotionPeaksAt(OpenFaceTable table, double[] overall, int[] peakRows, double emotionThreshold)
    {
        var peaks = new List<EmotionPeak>();
        foreach (var row in peakRows)
        {
            var emotions = EmotionRules.AnalyzeAtPeak(table, row, emotionThreshold);
            if (emotions.Count == 0) continue;
            // OrderByDescending is stable, like Python's sorted(..., reverse=True).
            var sorted = emotions.OrderByDescending(emotion => emotion.Score).ToList();
            var frame = table.Frames[row];
            peaks.Add(new EmotionPeak(row, frame.Frame, frame.Timestamp, overall[row], sorted));
        }

        return peaks;
    }

    private static OverallPeakFrameInfo OverallPeakFrame(OpenFaceTable table, double[] overall, double activeThreshold)
    {
        // pandas idxmax: the first maximum, NaN skipped.
        var best = -1;
        for (var row = 0; row < overall.Length; row++)
        {
            if (double.IsNaN(overall[row])) continue;
            if (best < 0 || overall[row] > overall[best]) best = row;
        }

        if (best < 0) best = 0;
        var frame = table.Frames[best];
        return new OverallPeakFrameInfo(best, frame.Frame, frame.Timestamp, AuDescriptions.ActiveAus(table, best, activeThreshold));
    }

    private static string OverallPeakDescription(OverallPeakFrameInfo? peak)
    {
        if (peak is null) return AuDescriptions.NeutralAtOverallPeak;
        var description = AuDescriptions.Describe(peak.TopAusIntensities);
        return description == AuDescriptions.NeutralExpression ? AuDescriptions.NeutralAtOverallPeak : description;
    }
}
