using System.Globalization;
using System.Text;
using CsvHelper;

namespace MerFactory.Facs.OpenFace;

/// <summary>
/// Streams the rows of an OpenFace CSV (FeatureExtraction 2.x, the 2017 layout without face_id, or any tool that
/// writes the same columns). Column names and values are whitespace-trimmed because OpenFace writes ", "
/// separators; unknown columns (gaze, 3D landmarks, PDM parameters…) are skipped.
/// </summary>
public sealed class OpenFaceCsvReader : IDisposable
{
    private readonly CsvReader _csv;
    private readonly string _source;
    private readonly int _frameColumn, _faceIdColumn, _timestampColumn, _confidenceColumn, _successColumn;
    private readonly int[] _intensityColumns, _presenceColumns, _poseColumns, _xColumns, _yColumns;
    private readonly int _headerFieldCount;
    private readonly string[] _columnNames;
    private bool _enumerated;

    /// <summary>Reads the header. Throws <see cref="OpenFaceCsvException"/> for an empty file or one without "_r" columns.</summary>
    /// <param name="reader">The CSV text; disposed with this reader.</param>
    /// <param name="source">The file name used in error messages.</param>
    public OpenFaceCsvReader(TextReader reader, string source)
        : this(CsvReader.Create(reader, Options), source)
    {
    }

    /// <summary>Reads the header from UTF-8 bytes (faster than text: no transcoding).</summary>
    /// <param name="utf8">The CSV bytes; disposed with this reader.</param>
    /// <param name="source">The file name used in error messages.</param>
    public OpenFaceCsvReader(Stream utf8, string source)
        : this(CsvReader.Create(utf8, Options), source)
    {
    }

    private static CsvReaderOptions Options => new()
    {
        Separator = ',',
        HasHeader = true,
        TrimWhitespace = true,
        SkipEmptyLines = true,
        TrackLineNumbers = true,
    };

    private OpenFaceCsvReader(CsvReader csv, string source)
    {
        _source = source;
        _csv = csv;

        IReadOnlyList<string> header;
        try
        {
            _csv.ReadHeader();
            header = _csv.Headers;
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            Dispose();
            throw new OpenFaceCsvException(source, $"cannot read the CSV header: {error.Message}", error);
        }

        if (header.Count == 0 || header.All(string.IsNullOrWhiteSpace))
        {
            Dispose();
            throw new OpenFaceCsvException(source, OpenFaceCsvException.EmptyCsv);
        }

        var names = header.Select(name => name.Trim()).ToArray();
        _headerFieldCount = names.Length;
        _columnNames = names;
        var position = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < names.Length; i++) position.TryAdd(names[i], i);
        int Find(string name) => position.GetValueOrDefault(name, -1);

        _frameColumn = Find("frame");
        _faceIdColumn = Find("face_id") is >= 0 and var faceId ? faceId : Find("face");
        _timestampColumn = Find("timestamp");
        _confidenceColumn = Find("confidence");
        _successColumn = Find("success");

        var intensityNames = names.Where(n => n.EndsWith("_r", StringComparison.Ordinal)).Distinct().ToArray();
        var presenceNames = names.Where(n => n.EndsWith("_c", StringComparison.Ordinal)).Distinct().ToArray();
        if (intensityNames.Length == 0)
        {
            Dispose();
            throw new OpenFaceCsvException(source, OpenFaceCsvException.NoIntensityColumns);
        }

        _intensityColumns = [.. intensityNames.Select(Find)];
        _presenceColumns = [.. presenceNames.Select(Find)];

        var hasPose = OpenFaceAus.PoseColumns.All(position.ContainsKey);
        _poseColumns = hasPose ? [.. OpenFaceAus.PoseColumns.Select(Find)] : [];

        var landmarkCount = 0;
        while (position.ContainsKey($"x_{landmarkCount}") && position.ContainsKey($"y_{landmarkCount}")) landmarkCount++;
        _xColumns = [.. Enumerable.Range(0, landmarkCount).Select(i => Find($"x_{i}"))];
        _yColumns = [.. Enumerable.Range(0, landmarkCount).Select(i => Find($"y_{i}"))];

        Layout = new OpenFaceLayout(intensityNames, presenceNames, hasPose, landmarkCount);
    }

    public OpenFaceLayout Layout { get; }

    /// <summary>The rows, read lazily; can be enumerated once.</summary>
    public IEnumerable<OpenFaceFrame> ReadFrames()
    {
        if (_enumerated) throw new InvalidOperationException("The rows of an OpenFaceCsvReader can be read only once.");
        _enumerated = true;
        return Iterate();
    }

    private IEnumerable<OpenFaceFrame> Iterate()
    {
        var rowNumber = 0;
        while (true)
        {
            bool more;
            try
            {
                more = _csv.Read();
            }
            catch (Exception error) when (error is not (OutOfMemoryException or OperationCanceledException))
            {
                throw new OpenFaceCsvException(_source, $"cannot read row {rowNumber + 1}: {error.Message}", error);
            }

            if (!more) break;
            rowNumber++;
            if (_csv.FieldCount < _headerFieldCount)
            {
                throw new OpenFaceCsvException(_source, $"line {_csv.LineNumber} has {_csv.FieldCount} fields but the header has {_headerFieldCount}.");
            }

            yield return ParseRow(rowNumber);
        }
    }

    private OpenFaceFrame ParseRow(int rowNumber)
    {
        double Value(int column, double fallback) => column < 0 ? fallback : ParseNumber(column);
        double[] Values(int[] columns)
        {
            var values = new double[columns.Length];
            for (var i = 0; i < columns.Length; i++) values[i] = ParseNumber(columns[i]);
            return values;
        }

        return new OpenFaceFrame
        {
            // FaceLandmarkImg's per-image CSV has no frame column: number rows from 1 as OpenFace numbers frames.
            Frame = (int)Value(_frameColumn, rowNumber),
            FaceId = (int)Value(_faceIdColumn, 0),
            Timestamp = Value(_timestampColumn, 0),
            Confidence = Value(_confidenceColumn, 0),
            // A CSV without the column cannot mark failures; MER-Factory treats every row as a face.
            Success = Value(_successColumn, 1) != 0,
            Intensities = Values(_intensityColumns),
            Presences = Values(_presenceColumns),
            Pose = _poseColumns.Length == 0 ? null : Values(_poseColumns),
            LandmarksX = _xColumns.Length == 0 ? null : Values(_xColumns),
            LandmarksY = _yColumns.Length == 0 ? null : Values(_yColumns),
        };
    }

    private double ParseNumber(int column)
    {
        // OpenFace never quotes: parse the raw bytes (NumberStyles.Float skips the spaces) and decode only if that fails.
        if (DecimalParser.TryParse(_csv.GetRawSpan(column), out var value)) return value;
        var utf8 = _csv.GetSpan(column);
        if (double.TryParse(utf8, NumberStyles.Float, CultureInfo.InvariantCulture, out value)) return value;

        var text = Encoding.UTF8.GetString(utf8).AsSpan().Trim();

        // C runtimes print non-finite values as "nan", "-nan", "-nan(ind)", "inf"; pandas reads them as such.
        if (text.Contains("nan", StringComparison.OrdinalIgnoreCase) || text.Contains("ind", StringComparison.OrdinalIgnoreCase)) return double.NaN;
        if (text.Equals("inf", StringComparison.OrdinalIgnoreCase) || text.Equals("+inf", StringComparison.OrdinalIgnoreCase)) return double.PositiveInfinity;
        if (text.Equals("-inf", StringComparison.OrdinalIgnoreCase)) return double.NegativeInfinity;

        throw new OpenFaceCsvException(_source, $"line {_csv.LineNumber}, column '{ColumnName(column)}': '{text.ToString()}' is not a number.");
    }

    private string ColumnName(int column) => _columnNames[column];

    public void Dispose() => _csv.Dispose();
}
