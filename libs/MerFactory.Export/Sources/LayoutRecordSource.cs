using System.Runtime.CompilerServices;
using System.Text.Json;

namespace MerFactory.Export.Sources;

/// <summary>
/// Reads records from MER-Factory's output layout (spec §7.1): <c>{id}/{id}_{kind}.json</c> plus side files,
/// one record at a time. Works for folders written by MerFactory and by Python MER-Factory.
/// </summary>
public sealed class LayoutRecordSource(IRecordFileProvider files, SideFileOptions? sideFiles = null) : IExportRecordSource
{
    private static readonly JsonDocumentOptions JsonOptions = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };
    private static readonly HashSet<string> AudioExtensions = new(StringComparer.OrdinalIgnoreCase) { ".wav", ".mp3", ".flac", ".m4a", ".ogg", ".aac" };

    private readonly SideFileOptions _sideFiles = sideFiles ?? new SideFileOptions();

    public string Description => files.Description;

    public async IAsyncEnumerable<ExportRecord> ReadAsync(
        ExportFileType fileType, ExportReport report, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // A bounded window of reads in flight; each collects its own issues, replayed in order, so the
        // report stays single-threaded and deterministic.
        var window = new Queue<Task<(ExportRecord? Record, ExportReport Issues)>>();
        var readAhead = Math.Max(1, _sideFiles.ReadAhead);
        await foreach (var id in files.ListRecordIdsAsync(cancellationToken))
        {
            window.Enqueue(ReadWithOwnReportAsync(id, fileType, cancellationToken));
            if (window.Count < readAhead) continue;
            var next = await Dequeue(window, report);
            if (next is not null) yield return next;
        }
        while (window.Count > 0)
        {
            var next = await Dequeue(window, report);
            if (next is not null) yield return next;
        }
    }

    private static async Task<ExportRecord?> Dequeue(Queue<Task<(ExportRecord? Record, ExportReport Issues)>> window, ExportReport report)
    {
        var (record, issues) = await window.Dequeue();
        foreach (var issue in issues.Issues) report.Add(issue);
        return record;
    }

    private async Task<(ExportRecord? Record, ExportReport Issues)> ReadWithOwnReportAsync(string id, ExportFileType fileType, CancellationToken cancellationToken)
    {
        await Task.Yield(); // start the read off the enumerating thread
        var issues = new ExportReport();
        return (await ReadRecordAsync(id, fileType, issues, cancellationToken), issues);
    }

    private async Task<ExportRecord?> ReadRecordAsync(string id, ExportFileType fileType, ExportReport report, CancellationToken cancellationToken)
    {
        var fileName = fileType.AnalysisFileName(id);
        var location = files.Locate(id, fileName);
        JsonDocument document;
        await using (var stream = await files.TryOpenAsync(id, fileName, cancellationToken))
        {
            if (stream is null)
            {
                report.Exclude(id, location, $"no {fileName} in record folder '{id}' (not a {fileType.Name()} record, or its analysis did not finish)");
                return null;
            }
            try
            {
                document = await JsonDocument.ParseAsync(stream, JsonOptions, cancellationToken);
            }
            catch (JsonException ex)
            {
                report.Skip(id, location, $"malformed JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine}): {FirstLine(ex.Message)}");
                return null;
            }
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                report.Skip(id, location, $"expected a JSON object, found {document.RootElement.ValueKind}");
                return null;
            }
            if (_sideFiles.ExcludeDegraded && document.RootElement.TryGetProperty("degraded", out var degraded) && degraded.ValueKind == JsonValueKind.True)
            {
                report.Exclude(id, location, $"degraded record excluded (--exclude-degraded; reasons in {id}_steps.json)");
                return null;
            }
            var reader = new AnalysisJsonReader(document.RootElement, id, location, report);
            var record = reader.Read(fileType);
            if (record is null) return null;
            return await AddSideFilesAsync(record, report, cancellationToken);
        }
    }

    private async Task<ExportRecord> AddSideFilesAsync(ExportRecord record, ExportReport report, CancellationToken cancellationToken)
    {
        var id = record.Id;
        if (_sideFiles.ReadAuCsv && record.FileType is ExportFileType.Mer or ExportFileType.Au)
        {
            await using var csv = await files.TryOpenAsync(id, $"{id}.csv", cancellationToken);
            if (csv is not null)
            {
                try
                {
                    var stats = AuCsvStatistics.Read(csv, _sideFiles.AuActivityThreshold, _sideFiles.ClipAuMinActiveFraction);
                    record = record with { FrameCount = stats.FrameCount, ClipAuCodes = stats.ActiveAuCodes };
                }
                catch (Exception ex) when (ex is FormatException or CsvHelper.CsvFormatException)
                {
                    report.Warn(id, files.Locate(id, $"{id}.csv"), $"AU CSV unreadable, frame count unknown: {FirstLine(ex.Message)}");
                }
            }
        }

        if (_sideFiles.ReadTranscript && record.FileType == ExportFileType.Mer)
        {
            record = record with { Transcript = await ReadTranscriptAsync(id, report, cancellationToken) };
        }

        var wav = $"{id}.wav";
        if (record.FileType == ExportFileType.Mer && string.IsNullOrEmpty(record.AudioPath))
        {
            // Outputs older than MER-Factory's audio_path field still hold the extracted audio next to the JSON.
            if (await files.ExistsAsync(id, wav, cancellationToken))
            {
                record = record with { AudioPath = files.Locate(id, wav) };
            }
        }
        else if (record.FileType == ExportFileType.Audio && !AudioExtensions.Contains(Path.GetExtension(record.SourcePath))
                 && await files.ExistsAsync(id, wav, cancellationToken))
        {
            record = record with { AudioPath = files.Locate(id, wav) };
        }
        return record;
    }

    private async Task<string?> ReadTranscriptAsync(string id, ExportReport report, CancellationToken cancellationToken)
    {
        var name = $"{id}_transcript.json";
        await using var stream = await files.TryOpenAsync(id, name, cancellationToken);
        if (stream is null) return null;
        try
        {
            using var document = await JsonDocument.ParseAsync(stream, JsonOptions, cancellationToken);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
            {
                var transcript = text.GetString()!.Trim();
                return transcript.Length == 0 ? null : transcript;
            }
            report.Warn(id, files.Locate(id, name), "transcript has no string 'text' field; ignored");
        }
        catch (JsonException ex)
        {
            report.Warn(id, files.Locate(id, name), $"malformed transcript JSON, ignored: {FirstLine(ex.Message)}");
        }
        return null;
    }

    internal static string FirstLine(string message)
    {
        var newline = message.IndexOf('\n');
        return newline < 0 ? message : message[..newline].TrimEnd();
    }
}
