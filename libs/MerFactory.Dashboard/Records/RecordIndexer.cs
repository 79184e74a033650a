using MerFactory.Dashboard.Data;
using MerFactory.Export;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace MerFactory.Dashboard.Records;

/// <summary>
/// Keeps the <see cref="RecordEntry"/> table in step with the record folders: new and changed folders are (re)read,
/// vanished ones dropped. Curation (rating, state, tier, edits) is kept across re-indexing.
/// </summary>
public sealed partial class RecordIndexer(IRecordFiles files, IDbContextFactory<CurationDb> dbFactory, ILogger<RecordIndexer> logger)
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<int> SyncAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var known = await db.Records.AsNoTracking().ToDictionaryAsync(r => r.Id, r => r.SourceStamp, StringComparer.Ordinal, cancellationToken);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var changed = 0;
            await foreach (var id in files.ListRecordIdsAsync(cancellationToken))
            {
                seen.Add(id);
                var listing = await files.ListFilesAsync(id, cancellationToken);
                var names = listing.ToDictionary(f => f.Name, StringComparer.Ordinal);
                var type = RecordFields.Priority.FirstOrDefault(t => names.ContainsKey(t.AnalysisFileName(id)), (ExportFileType)(-1));
                if (!Enum.IsDefined(type)) continue;
                if (known.TryGetValue(id, out var stamp) && stamp == RecordReader.Stamp(names, id, type)) continue;
                var snapshot = await RecordReader.ReadAsync(files, id, cancellationToken);
                if (snapshot is null)
                {
                    LogUnreadable(logger, id);
                    continue;
                }
                await UpsertAsync(db, snapshot, known.ContainsKey(id), cancellationToken);
                if (++changed % 500 == 0) await SaveAsync(db, cancellationToken);
            }
            await SaveAsync(db, cancellationToken);
            var gone = known.Keys.Where(id => !seen.Contains(id)).ToList();
            foreach (var chunk in gone.Chunk(500))
            {
                await db.Records.Where(r => chunk.Contains(r.Id)).ExecuteDeleteAsync(cancellationToken);
                await db.Tags.Where(r => chunk.Contains(r.RecordId)).ExecuteDeleteAsync(cancellationToken);
                await db.Metrics.Where(r => chunk.Contains(r.RecordId)).ExecuteDeleteAsync(cancellationToken);
            }
            // Fresh statistics let the planner skip an index that selects most rows (type=mer, state=pending).
            if (changed > 0 || gone.Count > 0) await db.Database.ExecuteSqlRawAsync("ANALYZE", cancellationToken);
            LogSynced(logger, files.Description, changed, gone.Count);
            return changed;
        }
        finally
        {
            _gate.Release();
        }
    }

    private static async Task SaveAsync(CurationDb db, CancellationToken cancellationToken)
    {
        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();
    }

    private static async Task UpsertAsync(CurationDb db, RecordSnapshot snapshot, bool exists, CancellationToken cancellationToken)
    {
        var entry = exists ? await db.Records.SingleAsync(r => r.Id == snapshot.Id, cancellationToken) : new RecordEntry { Id = snapshot.Id };
        if (exists)
        {
            await db.Tags.Where(t => t.RecordId == snapshot.Id).ExecuteDeleteAsync(cancellationToken);
            await db.Metrics.Where(t => t.RecordId == snapshot.Id).ExecuteDeleteAsync(cancellationToken);
        }
        else
        {
            db.Records.Add(entry);
        }
        var edits = exists
            ? await db.Edits.AsNoTracking().Where(e => e.RecordId == snapshot.Id).ToDictionaryAsync(e => e.Field, e => e.Value, cancellationToken)
            : [];
        entry.Type = snapshot.Type.Name();
        entry.Emotion = snapshot.PeakEmotions.FirstOrDefault();
        entry.Label = snapshot.Label;
        entry.Model = snapshot.Model;
        entry.SourceStamp = snapshot.Stamp;
        entry.HasEval = snapshot.Eval is not null;
        entry.SearchText = SearchText(snapshot, edits);
        db.Tags.AddRange(snapshot.PeakEmotions.Distinct().Select(e => new RecordTag { RecordId = snapshot.Id, Kind = TagKinds.Emotion, Value = e }));
        if (snapshot.Eval is { } eval)
        {
            db.Tags.AddRange(eval.Flags.Select(f => new RecordTag { RecordId = snapshot.Id, Kind = TagKinds.EvalFlag, Value = f }));
            db.Metrics.AddRange(eval.Metrics.Select(m => new EvalMetric { RecordId = snapshot.Id, Name = m.Key, Value = m.Value }));
        }
    }

    /// <summary>The searchable text: id, label and every field, with the curators' edits in place of the originals.</summary>
    public static string SearchText(RecordSnapshot snapshot, IReadOnlyDictionary<string, string> edits)
    {
        var parts = new List<string> { snapshot.Id, snapshot.Label ?? "" };
        foreach (var (key, value) in snapshot.Fields) parts.Add(edits.TryGetValue(key, out var edited) ? edited : value);
        return string.Join('\n', parts).ToLowerInvariant();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Record folder {Id} has an unreadable analysis JSON; it is not listed")]
    private static partial void LogUnreadable(ILogger logger, string id);

    [LoggerMessage(Level = LogLevel.Information, Message = "Indexed {Source}: {Changed} record(s) new or changed, {Removed} removed")]
    private static partial void LogSynced(ILogger logger, string source, int changed, int removed);
}

public static class TagKinds
{
    public const string Emotion = "emotion";
    public const string EvalFlag = "flag";
}
