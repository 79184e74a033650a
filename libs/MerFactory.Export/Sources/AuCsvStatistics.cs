using System.Globalization;
using System.Text.RegularExpressions;
using CsvHelper;

namespace MerFactory.Export.Sources;

/// <summary>Frame count and clip-level active AUs of an OpenFace AU CSV (<c>{id}.csv</c>), read in one pass.</summary>
public sealed partial record AuCsvStatistics(int FrameCount, IReadOnlyList<string> ActiveAuCodes)
{
    /// <summary>
    /// <paramref name="threshold"/>: intensity above which an AU is active in a frame; an AU enters
    /// <see cref="ActiveAuCodes"/> when active in at least <paramref name="minActiveFraction"/> of the frames.
    /// </summary>
    public static AuCsvStatistics Read(Stream csv, double threshold, double minActiveFraction)
    {
        using var reader = CsvReader.Create(csv, CsvReaderOptions.Default with { Separator = ',', HasHeader = false }, leaveOpen: true);
        if (!reader.Read()) return new AuCsvStatistics(0, []);
        // OpenFace pads header names with a space ("frame, timestamp, ..."), hence the trim.
        var header = Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetString(i).Trim()).ToArray();
        var auColumns = header.Select((name, index) => (name, index)).Where(c => IntensityColumn().IsMatch(c.name)).ToArray();
        var activeCounts = new int[auColumns.Length];
        var frames = 0;
        while (reader.Read())
        {
            if (reader.FieldCount == 1 && reader.IsEmpty(0)) continue;
            frames++;
            for (var i = 0; i < auColumns.Length; i++)
            {
                var index = auColumns[i].index;
                // Parsed from the field's UTF-8 bytes: no string per cell (10k clips hold millions of cells).
                if (index < reader.FieldCount
                    && double.TryParse(reader.GetSpan(index), NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
                    && value > threshold)
                {
                    activeCounts[i]++;
                }
            }
        }
        var active = frames == 0
            ? []
            : auColumns.Where((_, i) => activeCounts[i] > 0 && activeCounts[i] >= minActiveFraction * frames)
                .Select(c => Text.AuNames.NormalizeCode(c.name))
                .Distinct(StringComparer.Ordinal)
                .Order(StringComparer.Ordinal)
                .ToList();
        return new AuCsvStatistics(frames, active);
    }

    [GeneratedRegex(@"^AU\d+_r$")]
    private static partial Regex IntensityColumn();
}
