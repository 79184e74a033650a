using System.Globalization;

namespace MerFactory.AuEngine.Tests;

/// <summary>Minimal reader of OpenFace's CSV output (header names trimmed), for comparing against references.</summary>
internal sealed class ReferenceCsv
{
    private readonly Dictionary<string, int> _columns;
    public List<double[]> Rows { get; } = [];
    public IReadOnlyList<string> Header { get; }

    public ReferenceCsv(string path)
    {
        using var reader = new StreamReader(path);
        Header = reader.ReadLine()!.Split(',').Select(h => h.Trim()).ToList();
        _columns = Header.Select((h, i) => (h, i)).ToDictionary(t => t.h, t => t.i);
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            if (line.Length == 0) continue;
            Rows.Add(line.Split(',').Select(v => double.Parse(v.Trim(), CultureInfo.InvariantCulture)).ToArray());
        }
    }

    public bool Has(string column) => _columns.ContainsKey(column);

    public double Get(int row, string column) => Rows[row][_columns[column]];

    /// <summary>Landmarks as x0..x67, y0..y67.</summary>
    public double[] Landmarks(int row)
    {
        var result = new double[136];
        for (var i = 0; i < 68; i++)
        {
            result[i] = Get(row, $"x_{i}");
            result[i + 68] = Get(row, $"y_{i}");
        }
        return result;
    }

    public double[] Column(string column) => Rows.Select(r => r[_columns[column]]).ToArray();
}
