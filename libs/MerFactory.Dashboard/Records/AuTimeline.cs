using System.Globalization;

namespace MerFactory.Dashboard.Records;

/// <summary>AU intensities over time from an OpenFace CSV (<c>{id}.csv</c>), thinned to at most <see cref="MaxPoints"/> samples.</summary>
public sealed record AuTimeline(IReadOnlyList<double> Times, IReadOnlyList<AuSeries> Series)
{
    public const int MaxPoints = 400;

    /// <summary>Reads <c>timestamp</c> and every <c>AUxx_r</c> column; null when the CSV has neither.</summary>
    public static AuTimeline? Read(TextReader reader)
    {
        var header = reader.ReadLine()?.Split(',').Select(h => h.Trim()).ToArray();
        if (header is null) return null;
        var timeColumn = Array.IndexOf(header, "timestamp");
        var auColumns = header.Select((name, index) => (name, index))
            .Where(c => c.name.StartsWith("AU", StringComparison.Ordinal) && c.name.EndsWith("_r", StringComparison.Ordinal)).ToArray();
        if (timeColumn < 0 || auColumns.Length == 0) return null;

        var rows = new List<double[]>();
        while (reader.ReadLine() is { } line)
        {
            var cells = line.Split(',');
            if (cells.Length < header.Length) continue;
            var row = new double[auColumns.Length + 1];
            if (!double.TryParse(cells[timeColumn], NumberStyles.Float, CultureInfo.InvariantCulture, out row[0])) continue;
            for (var i = 0; i < auColumns.Length; i++)
                row[i + 1] = double.TryParse(cells[auColumns[i].index], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : 0;
            rows.Add(row);
        }
        if (rows.Count == 0) return null;

        // Thinning keeps each bucket's maximum, so a short peak above the threshold is never lost.
        var step = Math.Max(1, (int)Math.Ceiling(rows.Count / (double)MaxPoints));
        var buckets = Enumerable.Range(0, (rows.Count + step - 1) / step).Select(b => rows.Skip(b * step).Take(step).ToList()).ToList();
        var times = buckets.Select(b => Math.Round(b[0][0], 3)).ToList();
        var series = auColumns.Select((c, i) => new AuSeries(c.name[..^2], buckets.Select(b => Math.Round(b.Max(r => r[i + 1]), 3)).ToList())).ToList();
        return new AuTimeline(times, series);
    }
}

public sealed record AuSeries(string Au, IReadOnlyList<double> Values);
