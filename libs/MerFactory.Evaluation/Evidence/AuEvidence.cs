using System.Globalization;
using System.Text.RegularExpressions;
using MerFactory.Facs.OpenFace;

namespace MerFactory.Evaluation.Evidence;

/// <summary>Looks up the AU table at a moment: the strongest value of an AU within a small window around it.</summary>
public static partial class AuEvidence
{
    /// <summary>Half-width of the window around a cited moment: ±0.2 s covers a few frames of timing slack.</summary>
    public const double WindowSeconds = 0.2;

    [GeneratedRegex(@"Peak at (\d+(?:\.\d+)?)s", RegexOptions.CultureInvariant)]
    private static partial Regex PeakTime();

    /// <summary>The intensity (or, for AU28, the presence) of <paramref name="au"/> near <paramref name="seconds"/>; null when the table does not measure it.</summary>
    public static double? ValueNear(OpenFaceTable table, string au, double seconds)
    {
        var index = table.Layout.IntensityIndex(au + "_r");
        var presence = index < 0 ? table.Layout.PresenceIndex(au + "_c") : -1;
        if (index < 0 && presence < 0) return null;
        double? best = null;
        var nearest = NearestRow(table, seconds);
        for (var row = nearest; row >= 0 && table.Frames[row].Timestamp >= seconds - WindowSeconds; row--) best = Max(best, Value(table.Frames[row], index, presence));
        for (var row = nearest + 1; row < table.Count && table.Frames[row].Timestamp <= seconds + WindowSeconds; row++) best = Max(best, Value(table.Frames[row], index, presence));
        // A moment between sparse rows still reads the nearest row.
        return best ?? Value(table.Frames[nearest], index, presence);
    }

    /// <summary>The times of the FACS peaks a record states ("Peak at 2.88s: ...").</summary>
    public static IReadOnlyList<double> PeakTimes(IEnumerable<string> emotionPeaks) =>
        [.. emotionPeaks.Select(p => PeakTime().Match(p)).Where(m => m.Success).Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))];

    /// <summary>The record's peak moments: its overall peak and its chronological FACS peaks.</summary>
    public static IReadOnlyList<double> PeakMoments(RecordEvidence record)
    {
        var times = new List<double>(PeakTimes(record.EmotionPeaks));
        if (record.OverallPeakSeconds is { } overall) times.Insert(0, overall);
        return times;
    }

    public static int NearestRow(OpenFaceTable table, double seconds)
    {
        int low = 0, high = table.Count - 1;
        while (low < high)
        {
            var mid = (low + high) / 2;
            if (table.Frames[mid].Timestamp < seconds) low = mid + 1; else high = mid;
        }
        if (low > 0 && Math.Abs(table.Frames[low - 1].Timestamp - seconds) <= Math.Abs(table.Frames[low].Timestamp - seconds)) low--;
        return low;
    }

    private static double Value(OpenFaceFrame frame, int intensity, int presence) =>
        intensity >= 0 ? frame.Intensities[intensity] : frame.Presences[presence];

    private static double Max(double? a, double b) => a is { } x ? Math.Max(x, b) : b;
}
