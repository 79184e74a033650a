using System.Text.Json;

namespace MerFactory.Export.Writers;

/// <summary><c>{type}_sharegpt_export.json|jsonl</c>, streamed: one example at a time reaches the disk.</summary>
internal sealed class ShareGptWriter : IExportWriter
{
    private const int FlushThreshold = 32 * 1024;
    private bool _completed;

    private readonly PendingFile _file;
    private readonly Utf8JsonWriter _json;
    private readonly JsonFormat _format;
    private readonly InstructionPools _pools;
    private readonly int _seed;
    private readonly ExportReport _report;
    private int _written;

    public ShareGptWriter(string exportPath, ExportFileType fileType, JsonFormat format, InstructionPools pools, int seed, ExportReport report)
    {
        _file = new PendingFile(Path.Combine(exportPath, ShareGptLayout.FileName(fileType, format)));
        _format = format;
        _pools = pools;
        _seed = seed;
        _report = report;
        _json = new Utf8JsonWriter(_file.Stream, JsonText.WriterOptions(indented: format == JsonFormat.Json));
        if (format == JsonFormat.Json) _json.WriteStartArray();
    }

    public async ValueTask WriteAsync(ExportRecord record, CancellationToken cancellationToken)
    {
        var example = ShareGptLayout.Build(record, _pools.Pick(record.FileType, record.Id, _seed), _report);
        _json.WriteStartObject();
        _json.WriteStartArray(ShareGptLayout.MessagesKey);
        WriteMessage(ShareGptLayout.UserRole, example.UserContent);
        WriteMessage(ShareGptLayout.AssistantRole, example.AssistantContent);
        _json.WriteEndArray();
        foreach (var (key, paths) in example.Media) JsonText.WriteStringArray(_json, key, paths);
        _json.WriteEndObject();
        _written++;

        if (_format == JsonFormat.Jsonl)
        {
            await _json.FlushAsync(cancellationToken);
            _file.Stream.WriteByte((byte)'\n');
            _json.Reset();
        }
        else if (_json.BytesPending > FlushThreshold)
        {
            await _json.FlushAsync(cancellationToken);
        }
    }

    public async ValueTask<IReadOnlyList<ExportedFile>> CompleteAsync(CancellationToken cancellationToken)
    {
        if (_format == JsonFormat.Json) _json.WriteEndArray();
        await _json.FlushAsync(cancellationToken);
        await _json.DisposeAsync();
        await _file.CommitAsync();
        _completed = true;
        return [new ExportedFile(_file.FinalPath, _format == JsonFormat.Jsonl ? "sharegpt-jsonl" : "sharegpt-json", _written, 0)];
    }

    public async ValueTask DisposeAsync()
    {
        // After CompleteAsync everything is flushed, disposed and moved into place.
        if (_completed) return;
        await _json.DisposeAsync();
        await _file.DisposeAsync();
    }

    private void WriteMessage(string role, string content)
    {
        _json.WriteStartObject();
        _json.WriteString(ShareGptLayout.RoleKey, role);
        _json.WriteString(ShareGptLayout.ContentKey, content);
        _json.WriteEndObject();
    }
}
