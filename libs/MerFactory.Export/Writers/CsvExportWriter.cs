using CsvHelper;

namespace MerFactory.Export.Writers;

/// <summary>
/// <c>{type}_export_data.csv</c>: UTF-8, every field quoted (export.py's QUOTE_ALL), real newlines kept inside
/// quoted fields instead of export.py's literal <c>\n</c>.
/// </summary>
internal sealed class CsvExportWriter : IExportWriter
{
    private readonly PendingFile _file;
    private bool _completed;
    private readonly CsvWriter _csv;
    private readonly IReadOnlyList<string> _columns;
    private int _written;

    public CsvExportWriter(string exportPath, ExportFileType fileType)
    {
        _file = new PendingFile(Path.Combine(exportPath, CsvLayout.FileName(fileType)));
        _csv = CsvWriter.Create(_file.Stream, CsvWriterOptions.Default with { Quoting = CsvQuoting.Always, NewLine = "\r\n" }, leaveOpen: true);
        _columns = CsvLayout.Columns(fileType);
        _csv.WriteHeader(_columns.ToArray());
    }

    public async ValueTask WriteAsync(ExportRecord record, CancellationToken cancellationToken)
    {
        foreach (var column in _columns) _csv.WriteField(CsvLayout.Cell(record, column));
        await _csv.EndRecordAsync(cancellationToken);
        _written++;
    }

    public async ValueTask<IReadOnlyList<ExportedFile>> CompleteAsync(CancellationToken cancellationToken)
    {
        await _csv.FlushAsync(cancellationToken);
        await _csv.DisposeAsync();
        await _file.CommitAsync();
        _completed = true;
        return [new ExportedFile(_file.FinalPath, "csv", _written, 0)];
    }

    public async ValueTask DisposeAsync()
    {
        // After CompleteAsync everything is flushed, disposed and moved into place.
        if (_completed) return;
        await _csv.DisposeAsync();
        await _file.DisposeAsync();
    }
}
