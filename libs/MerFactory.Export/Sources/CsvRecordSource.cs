using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsvHelper;
using MerFactory.Export.Text;

namespace MerFactory.Export.Sources;

/// <summary>
/// Records from an exported CSV (export.py's mode 2), row by row. Reads CSVs written by this exporter losslessly,
/// and CSVs written by export.py (Python reprs, literal <c>\n</c>) as far as they carry the data.
/// </summary>
public sealed class CsvRecordSource : IExportRecordSource
{
    private readonly string _path;

    public CsvRecordSource(string csvPath)
    {
        _path = Path.GetFullPath(csvPath);
        if (!File.Exists(_path)) throw new FileNotFoundException($"Input CSV '{_path}' does not exist.", _path);
    }

    public string Description => _path;

    /// <summary>The type in the first row's <c>file_type</c> (export.py's rule). Throws naming the file when there is none.</summary>
    public static ExportFileType DetectFileType(string csvPath)
    {
        var path = Path.GetFullPath(csvPath);
        if (!File.Exists(path)) throw new FileNotFoundException($"Input CSV '{path}' does not exist.", path);
        using var reader = OpenReader(path);
        var header = ReadHeader(reader, path);
        var typeColumn = Array.IndexOf(header, "file_type");
        if (typeColumn < 0)
            throw new InvalidDataException($"CSV '{path}' has no 'file_type' column, so its type is unknown; export it again with the CSV option.");
        if (!reader.Read())
            throw new InvalidDataException($"CSV '{path}' has a header but no rows.");
        var value = typeColumn < reader.FieldCount ? reader.GetString(typeColumn) : "";
        return ExportFileTypes.TryParse(value, out var type)
            ? type
            : throw new InvalidDataException($"CSV '{path}': first row's file_type '{value}' is not one of au, image, mer, audio, video.");
    }

    public async IAsyncEnumerable<ExportRecord> ReadAsync(
        ExportFileType fileType, ExportReport report, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var reader = OpenReader(_path);
        var header = ReadHeader(reader, _path);
        var columns = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < header.Length; i++) columns.TryAdd(header[i], i);
        // export.py's CSVs have no id column; theirs hold Python reprs and literal "\n" sequences.
        var writtenByPython = !columns.ContainsKey("id");
        var row = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            row++;
            var location = $"{_path}:row {row}";
            if (reader.FieldCount != header.Length)
            {
                report.Skip(null, location, $"row has {reader.FieldCount} fields, the header has {header.Length} (broken quoting?)");
                continue;
            }
            var cells = new string[header.Length];
            for (var i = 0; i < cells.Length; i++) cells[i] = reader.GetString(i);
            var record = new RowReader(cells, columns, writtenByPython, location, report).Read(fileType);
            if (record is not null) yield return record;
        }
    }

    // The header is read as a plain row so that its names are ours to trim and look up.
    private static CsvReader OpenReader(string path) =>
        CsvReader.Create(
            new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.SequentialScan),
            CsvReaderOptions.Default with { Separator = ',', HasHeader = false, SkipEmptyLines = true },
            leaveOpen: false);

    private static string[] ReadHeader(CsvReader reader, string path)
    {
        if (!reader.Read()) throw new InvalidDataException($"CSV '{path}' is empty.");
        return Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetString(i).Trim().TrimStart('\uFEFF')).ToArray();
    }

    private sealed class RowReader(string[] cells, Dictionary<string, int> columns, bool writtenByPython, string location, ExportReport report)
    {
        private string? _id;

        // Reported only when the row is exported: a skipped row gets its one skip reason.
        private readonly List<string> _warnings = [];

        public ExportRecord? Read(ExportFileType fileType)
        {
            var rowType = Cell("file_type");
            var sourcePath = Cell("source_path");
            _id = Cell("id") is { Length: > 0 } id ? id
                : Path.GetFileNameWithoutExtension(sourcePath) is { Length: > 0 } stem ? stem
                : null;
            if (!ExportFileTypes.TryParse(rowType, out var type) || type != fileType)
            {
                report.Skip(_id, location, $"file_type '{rowType}' differs from the CSV's type '{fileType.Name()}'");
                return null;
            }
            if (_id is null || sourcePath.Length == 0)
            {
                report.Skip(_id, location, "no source_path: the media file cannot be referenced");
                return null;
            }

            var record = new ExportRecord
            {
                Id = _id,
                FileType = fileType,
                Origin = location,
                SourcePath = sourcePath,
                AudioPath = NonEmpty(Cell("audio_path")),
                ChronologicalEmotionPeaks = Peaks(),
                OverallPeakFrameInfo = PeakInfo(),
                OverallPeakAuDescription = Text("overall_peak_au_description"),
                VisualExpression = Text("visual_expression"),
                VisualObjective = Text("visual_objective"),
                AudioAnalysis = Text("audio_analysis"),
                VideoContent = Text("video_content"),
                FinalSummary = Text("final_summary"),
                LlmVideoSummary = Text("llm_video_summary"),
                AuTextDescription = Text("au_text_description"),
                LlmAuDescription = Text("llm_au_description"),
                ImageVisualDescription = Text("image_visual_description"),
                GroundTruthLabel = NonEmpty(Cell("ground_truth_label")),
                FrameCount = FrameCount(),
                ClipAuCodes = StringList("clip_au_codes"),
                Transcript = NonEmpty(Text("transcript")),
            };
            if (!RecordChecks.HasTrainingTarget(record, report)) return null;
            foreach (var warning in _warnings) report.Warn(_id, location, warning);
            return record;
        }

        private string Cell(string name) =>
            columns.TryGetValue(name, out var index) ? cells[index] : "";

        private string Text(string name)
        {
            var value = Cell(name).Trim();
            return writtenByPython ? TextCleanup.UnescapePythonNewlines(value) : value;
        }

        private static string? NonEmpty(string value) => value.Length == 0 ? null : value;

        private int? FrameCount()
        {
            var value = Cell("frame_count");
            if (value.Length == 0) return null;
            if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var count) && count >= 0) return count;
            _warnings.Add($"frame_count '{value}' is not a count; ignored");
            return null;
        }

        private IReadOnlyList<string> Peaks()
        {
            if (columns.ContainsKey("chronological_emotion_peaks_list"))
            {
                var list = StringList("chronological_emotion_peaks_list", warn: false);
                if (list.Count > 0 || Cell("chronological_emotion_peaks_list").Trim() is "[]") return list;
            }
            var joined = Text("chronological_emotion_peaks");
            return joined.Split("; ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }

        private IReadOnlyList<string> StringList(string name, bool warn = true)
        {
            var value = Cell(name).Trim();
            if (value.Length == 0) return [];
            var node = ParseStructured(value);
            if (node is JsonArray array)
                return array.Select(item => item?.GetValueKind() == JsonValueKind.String ? item.GetValue<string>().Trim() : item?.ToJsonString() ?? "")
                    .Where(item => item.Length > 0).ToList();
            if (warn) _warnings.Add($"'{name}' is not a list; ignored");
            return [];
        }

        private PeakFrameInfo? PeakInfo()
        {
            var value = Cell("overall_peak_frame_info").Trim();
            if (value.Length == 0) return null;
            if (ParseStructured(value) is JsonObject obj)
            {
                var element = JsonSerializer.SerializeToElement(obj);
                return PeakFrameInfoJson.Read(element, _warnings.Add);
            }
            _warnings.Add("'overall_peak_frame_info' is neither a JSON nor a Python dict; ignored");
            return null;
        }

        private static JsonNode? ParseStructured(string value)
        {
            try
            {
                return JsonNode.Parse(value);
            }
            catch (JsonException)
            {
                return PythonLiteral.TryParse(value, out var node) ? node : null;
            }
        }
    }
}
