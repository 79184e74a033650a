using System.Text;
using MerFactory.Facs.Formatting;
using MerFactory.Facs.OpenFace;

namespace MerFactory.Facs.Analysis;

/// <summary>MER-Factory's natural-language names of the Action Units (AU_TO_TEXT_MAP) and the texts built from them.</summary>
public static class AuDescriptions
{
    /// <summary>What MER-Factory writes when no AU is active.</summary>
    public const string NeutralExpression = "Neutral expression.";

    /// <summary>What the AU and MER pipelines write instead of <see cref="NeutralExpression"/> for the overall peak frame.</summary>
    public const string NeutralAtOverallPeak = "Neutral expression at the overall peak frame.";

    /// <summary>MER-Factory's fixed threshold for "active" AUs (overall peak frame, image summary).</summary>
    public const double DefaultActiveThreshold = 0.8;

    public static IReadOnlyDictionary<string, string> Texts { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["AU01_r"] = "Inner brow raiser",
        ["AU02_r"] = "Outer brow raiser",
        ["AU04_r"] = "Brow lowerer",
        ["AU05_r"] = "Upper lid raiser",
        ["AU06_r"] = "Cheek raiser",
        ["AU07_r"] = "Lid tightener",
        ["AU09_r"] = "Nose wrinkler",
        ["AU10_r"] = "Upper lip raiser",
        ["AU12_r"] = "Lip corner puller (smile)",
        ["AU14_r"] = "Dimpler",
        ["AU15_r"] = "Lip corner depressor",
        ["AU17_r"] = "Chin raiser",
        ["AU20_r"] = "Lip stretcher",
        ["AU23_r"] = "Lip tightener",
        ["AU25_r"] = "Lips part",
        ["AU26_r"] = "Jaw drop",
        ["AU28_r"] = "Lip suck",
        ["AU45_r"] = "Blink",
    };

    /// <summary>
    /// <c>get_active_aus</c>: the "AU…_r" columns of row <paramref name="row"/> that MER-Factory names, whose value is
    /// strictly greater than <paramref name="threshold"/>, in CSV column order.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, double>> ActiveAus(OpenFaceTable table, int row, double threshold = DefaultActiveThreshold)
    {
        var frame = table.Frames[row];
        var columns = table.Layout.IntensityColumns;
        var active = new List<KeyValuePair<string, double>>();
        for (var i = 0; i < columns.Count; i++)
        {
            var column = columns[i];
            if (column.StartsWith("AU", StringComparison.Ordinal) && Texts.ContainsKey(column) && frame.Intensities[i] > threshold)
            {
                active.Add(new KeyValuePair<string, double>(column, frame.Intensities[i]));
            }
        }

        return active;
    }

    /// <summary>
    /// <c>extract_au_description</c>: "Lips part (intensity: 1.94), Jaw drop (intensity: 2.08)", or
    /// <see cref="NeutralExpression"/> when nothing is active. Intensities are rounded as Python's ":.2f".
    /// </summary>
    public static string Describe(IEnumerable<KeyValuePair<string, double>> activeAus)
    {
        var text = new StringBuilder();
        foreach (var (column, intensity) in activeAus)
        {
            if (!Texts.TryGetValue(column, out var name)) continue;
            if (text.Length > 0) text.Append(", ");
            text.Append(name).Append(" (intensity: ").Append(PythonFormat.Fixed(intensity, 2)).Append(')');
        }

        return text.Length == 0 ? NeutralExpression : text.ToString();
    }
}
