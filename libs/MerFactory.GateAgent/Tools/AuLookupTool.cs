using System.Globalization;
using System.Text;
using MerFactory.Facs.Analysis;
using MerFactory.Facs.OpenFace;

namespace MerFactory.GateAgent.Tools;

/// <summary>
/// Action Unit intensities from the sample's OpenFace data: at a time (nearest frame), or the strongest AUs overall.
/// Rows of the most-tracked face are used, and untracked frames are left out of the overall ranking.
/// </summary>
public sealed class AuLookupTool : IGateTool
{
    public const string ToolName = "au_lookup";

    private const int DefaultTop = 5;

    public string Name => ToolName;

    public string Description =>
        "Looks up facial Action Unit intensities (0-5) from the face tracker. With \"time\" (seconds): the AUs of the frame "
        + "nearest that time, strongest first. Without it: the AUs with the highest mean intensity over the whole video, "
        + "with when each peaked. Use it to check the AU description, the emotion peaks and expression claims.";

    public IReadOnlyList<GateToolParameter> Parameters { get; } =
    [
        new("time", GateParameterType.Number, "seconds from the start of the video; omit for the overall ranking") { Minimum = 0, Maximum = 86400 },
        new("top", GateParameterType.Integer, $"how many AUs to list, default {DefaultTop}") { Minimum = 1, Maximum = OpenFaceAus.IntensityAus.Count + 1 },
    ];

    public bool IsAvailable(GateToolContext context) => context.HasAuData;

    public Task<string> RunAsync(GateToolArguments arguments, GateToolContext context, CancellationToken cancellationToken)
    {
        var table = MainFace(context.AuTable());
        var top = arguments.GetInteger("top") ?? DefaultTop;
        var columns = table.Layout.IntensityColumns
            .Select((column, index) => (Column: column, Index: index))
            .Where(c => c.Column.StartsWith("AU", StringComparison.Ordinal))
            .ToList();
        if (columns.Count == 0) throw new GateToolException("the AU data has no AU intensity columns.");
        var answer = arguments.GetNumber("time") is { } time ? AtTime(table, columns, time, top) : Overall(table, columns, top);
        return Task.FromResult(answer);
    }

    private static string AtTime(OpenFaceTable table, List<(string Column, int Index)> columns, double time, int top)
    {
        var frames = table.Frames;
        var first = frames.Min(f => f.Timestamp);
        var last = frames.Max(f => f.Timestamp);
        // Half a second of slack: a time rounded by the model near either end still means the first/last frame.
        if (time < first - 0.5 || time > last + 0.5)
            return $"ERROR: time {Seconds(time)} s is outside the AU data ({Seconds(first)}-{Seconds(last)} s).";

        var frame = frames.MinBy(f => (Math.Abs(f.Timestamp - time), f.Frame))!;
        // Inactive AUs (0, or OpenFace's slightly negative values) say nothing and would crowd out the list.
        var ranked = columns
            .Select(c => (c.Column, Value: frame.Intensities[c.Index]))
            .Where(c => c.Value > 0)
            .OrderByDescending(c => c.Value).ThenBy(c => c.Column, StringComparer.Ordinal)
            .Take(top)
            .ToList();
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"AU intensities at {Seconds(time)} s (frame {frame.Frame}, timestamp {Seconds(frame.Timestamp)} s")
            .Append(frame.Success ? "" : ", face NOT tracked in this frame: values are unreliable")
            .Append("): ");
        if (ranked.Count == 0) text.Append("no AU is active (all intensities are 0).");
        else text.AppendJoin("; ", ranked.Select(c => $"{Label(c.Column)} {Intensity(c.Value)}")).Append('.');
        return text.ToString();
    }

    private static string Overall(OpenFaceTable table, List<(string Column, int Index)> columns, int top)
    {
        var tracked = table.Frames.Where(f => f.Success).ToList();
        var note = tracked.Count == 0 ? " (no frame has a tracked face: values are unreliable)" : "";
        var frames = tracked.Count == 0 ? table.Frames : tracked;
        var ranked = columns
            .Select(c =>
            {
                var peak = frames.MaxBy(f => f.Intensities[c.Index])!;
                return (c.Column, Mean: frames.Average(f => f.Intensities[c.Index]), Max: peak.Intensities[c.Index], At: peak.Timestamp);
            })
            .OrderByDescending(c => c.Mean).ThenBy(c => c.Column, StringComparer.Ordinal)
            .Take(top);
        return $"Top AUs by mean intensity over {frames.Count} frame(s) ({Seconds(frames.Min(f => f.Timestamp))}-{Seconds(frames.Max(f => f.Timestamp))} s){note}: "
               + string.Join("; ", ranked.Select(c => $"{Label(c.Column)} mean {Intensity(c.Mean)}, max {Intensity(c.Max)} at {Seconds(c.At)} s"))
               + ".";
    }

    private static OpenFaceTable MainFace(OpenFaceTable table)
    {
        if (table.Count == 0) throw new GateToolException("the AU data has no rows.");
        var face = table.MostPresentFaceId();
        return table.FaceIds.Count > 1 ? table.Where(f => f.FaceId == face) : table;
    }

    private static string Label(string column)
    {
        var au = column.EndsWith("_r", StringComparison.Ordinal) ? column[..^2] : column;
        return AuDescriptions.Texts.TryGetValue(column, out var name) ? $"{au} {name}" : au;
    }

    private static string Seconds(double value) => value.ToString("0.00", CultureInfo.InvariantCulture);

    private static string Intensity(double value) => value.ToString("0.00", CultureInfo.InvariantCulture);
}
