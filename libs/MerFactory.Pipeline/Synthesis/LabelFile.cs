using CsvHelper;

namespace MerFactory.Pipeline.Synthesis;

/// <summary>A label file is unusable; the message names the file and the cause.</summary>
public sealed class LabelFileException(string message) : Exception(message);

/// <summary>
/// MER-Factory's <c>--label-file</c> (spec §1.6): a CSV with <c>name</c> and <c>label</c> columns, looked up by file stem.
/// Unlike pandas, values stay text: "001" matches the file <c>001.mp4</c> and a label "1" stays "1".
/// </summary>
public static class LabelFile
{
    public static IReadOnlyDictionary<string, string> Read(string path)
    {
        try
        {
            using var csv = CsvReader.Create(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read),
                CsvReaderOptions.Default with { Separator = ',', HasHeader = false, SkipEmptyLines = true }, leaveOpen: false);
            return Parse(csv, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LabelFileException($"Error: cannot read label file '{path}': {e.Message}");
        }
    }

    /// <summary>Parses CSV text (tests, and label files sent with a remote job).</summary>
    public static IReadOnlyDictionary<string, string> Parse(string text, string source)
    {
        using var csv = CsvReader.Create(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)),
            CsvReaderOptions.Default with { Separator = ',', HasHeader = false, SkipEmptyLines = true }, leaveOpen: false);
        return Parse(csv, source);
    }

    private static IReadOnlyDictionary<string, string> Parse(CsvReader csv, string source)
    {
        if (!csv.Read())
            throw new LabelFileException($"Error: label file '{source}' is empty; it must contain 'name' and 'label' columns.");
        var header = Enumerable.Range(0, csv.FieldCount).Select(i => csv.GetString(i).Trim().TrimStart('\uFEFF')).ToArray();
        var nameColumn = Array.FindIndex(header, h => h.Equals("name", StringComparison.OrdinalIgnoreCase));
        var labelColumn = Array.FindIndex(header, h => h.Equals("label", StringComparison.OrdinalIgnoreCase));
        if (nameColumn < 0 || labelColumn < 0)
            throw new LabelFileException($"Error: Label file must contain 'name' and 'label' columns ('{source}' has: {string.Join(", ", header)}).");
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var row = 1;
        while (csv.Read())
        {
            row++;
            if (csv.FieldCount <= Math.Max(nameColumn, labelColumn))
                throw new LabelFileException($"Error: label file '{source}', row {row}: {csv.FieldCount} field(s), the header has {header.Length}.");
            var name = csv.GetString(nameColumn).Trim();
            var label = csv.GetString(labelColumn).Trim();
            if (name.Length == 0 || label.Length == 0) continue;
            // A name given with its extension still means the stem (MER-Factory silently never matched those).
            labels[StemOf(name)] = label;
        }
        return labels;
    }

    private static readonly HashSet<string> MediaExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".mp4", ".avi", ".mov", ".mkv", ".wmv", ".flv", ".webm", ".wav", ".mp3", ".flac", ".m4a", ".ogg", ".aac", ".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff",
    };

    private static string StemOf(string name) =>
        MediaExtensions.Contains(Path.GetExtension(name)) ? Path.GetFileNameWithoutExtension(name) : name;
}
