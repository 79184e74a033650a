using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text.Json;
using MerFactory.Dashboard.Curation;
using MerFactory.Dashboard.Data;
using MerFactory.Dashboard.Records;
using MerFactory.Export;
using MerFactory.Export.Sources;
using Microsoft.EntityFrameworkCore;

namespace MerFactory.Dashboard.Export;

/// <summary>
/// The exporter's formats (CSV, ShareGPT, Emotion-LLaMA) over the filtered records with the curators' edits applied,
/// plus <c>curation.jsonl</c> carrying each record's provenance tier, rating and state; returned as one zip.
/// </summary>
public sealed class CuratedExport(IDbContextFactory<CurationDb> dbFactory, IRecordFiles files, ExportRunner runner)
{
    public const string ManifestName = "curation.jsonl";

    public async Task<(string ZipPath, ExportResult Result)> RunAsync(RecordFilter filter, string format, CancellationToken cancellationToken)
    {
        if (!ExportFileTypes.TryParse(filter.Type ?? "mer", out var type)) throw new CurationException($"unknown type '{filter.Type}'");
        var (exportCsv, exportFormat) = format.ToLowerInvariant() switch
        {
            "csv" => (true, (ExportFormat?)null),
            "sharegpt" => (false, ExportFormat.ShareGpt),
            "emotion-llama" => (false, ExportFormat.EmotionLlama),
            "emotion-llama-fine" => (false, ExportFormat.EmotionLlamaFine),
            _ => throw new CurationException("format is csv, sharegpt, emotion-llama or emotion-llama-fine"),
        };
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        // Only what the manifest needs (the rows' search text stays in the database).
        var entries = await (filter with { Type = type.Name() }).Apply(db).AsNoTracking().OrderBy(r => r.Id)
            .Select(r => new { r.Id, r.Tier, r.Rating, r.State }).ToListAsync(cancellationToken);
        var ids = entries.Select(e => e.Id).ToHashSet(StringComparer.Ordinal);
        var edits = (await db.Edits.AsNoTracking().ToListAsync(cancellationToken))
            .Where(e => ids.Contains(e.RecordId)).GroupBy(e => e.RecordId)
            .ToDictionary(g => g.Key, g => (IReadOnlyDictionary<string, string>)g.ToDictionary(e => e.Field, e => e.Value), StringComparer.Ordinal);

        var folder = Directory.CreateTempSubdirectory("merfactory-curated-").FullName;
        try
        {
            var source = new EditedRecordSource(new LayoutRecordSource(new SelectedRecords(files.ExportProvider, entries.Select(e => e.Id).ToList())), edits);
            var result = await runner.RunAsync(source, type, new ExportOptions { ExportPath = folder, ExportCsv = exportCsv, ExportFormat = exportFormat }, cancellationToken);
            await using (var manifest = File.CreateText(Path.Combine(folder, ManifestName)))
            {
                foreach (var e in entries)
                {
                    await manifest.WriteLineAsync(JsonSerializer.Serialize(new
                    {
                        id = e.Id, provenance_tier = e.Tier, rating = e.Rating, state = e.State,
                        edited_fields = edits.TryGetValue(e.Id, out var fields) ? fields.Keys.Order(StringComparer.Ordinal).ToArray() : [],
                    }));
                }
            }
            var zip = Path.Combine(Path.GetTempPath(), $"merfactory-curated-{Guid.NewGuid():n}.zip");
            ZipFile.CreateFromDirectory(folder, zip, CompressionLevel.Fastest, includeBaseDirectory: false);
            return (zip, result);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Only the selected record folders, in list order.</summary>
    private sealed class SelectedRecords(IRecordFileProvider inner, IReadOnlyList<string> ids) : IRecordFileProvider
    {
        public string Description => inner.Description;

        public async IAsyncEnumerable<string> ListRecordIdsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            foreach (var id in ids)
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return id;
            }
            await Task.CompletedTask;
        }

        public Task<Stream?> TryOpenAsync(string id, string fileName, CancellationToken cancellationToken = default) => inner.TryOpenAsync(id, fileName, cancellationToken);
        public Task<bool> ExistsAsync(string id, string fileName, CancellationToken cancellationToken = default) => inner.ExistsAsync(id, fileName, cancellationToken);
        public string Locate(string id, string fileName) => inner.Locate(id, fileName);
    }

    /// <summary>Puts each edited field's current value in place of the pipeline's.</summary>
    private sealed class EditedRecordSource(IExportRecordSource inner, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> edits) : IExportRecordSource
    {
        public string Description => inner.Description + " (curated)";

        public async IAsyncEnumerable<ExportRecord> ReadAsync(ExportFileType fileType, ExportReport report, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await foreach (var record in inner.ReadAsync(fileType, report, cancellationToken))
            {
                if (!edits.TryGetValue(record.Id, out var fields))
                {
                    yield return record;
                    continue;
                }
                var edited = record;
                foreach (var (key, value) in fields)
                    if (RecordFields.Find(fileType, key) is { } spec) edited = spec.ApplyToExport(edited, value);
                yield return edited;
            }
        }
    }
}
