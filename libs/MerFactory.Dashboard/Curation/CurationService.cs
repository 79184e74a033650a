using MerFactory.Dashboard.Data;
using MerFactory.Dashboard.Records;
using MerFactory.Export;
using Microsoft.EntityFrameworkCore;

namespace MerFactory.Dashboard.Curation;

/// <summary>Why a curation request was refused (becomes 400/404).</summary>
public sealed class CurationException(string message, bool notFound = false) : Exception(message)
{
    public bool NotFound { get; } = notFound;
}

/// <summary>
/// Edits (each a revision with author, time and diff), reverts, ratings and review states, and the provenance tier
/// they imply: auto → human-reviewed (rated, accepted or rejected) → human-edited (a field differs from the pipeline's).
/// </summary>
public sealed class CurationService(IDbContextFactory<CurationDb> dbFactory, IRecordFiles files, TimeProvider clock)
{
    public async Task<FieldRevision> EditAsync(string id, string field, string value, string author, CancellationToken cancellationToken)
    {
        var snapshot = await SnapshotAsync(id, cancellationToken);
        if (RecordFields.Find(snapshot.Type, field) is null)
            throw new CurationException($"'{field}' is not a text field of {snapshot.Type.Name()} records; fields: {string.Join(", ", RecordFields.For(snapshot.Type).Select(f => f.Key))}");
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var original = snapshot.Fields.GetValueOrDefault(field, "");
        var revision = await ChangeAsync(db, snapshot, field, original, value, "edit", author, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return revision;
    }

    /// <summary>Sets the field back to the value it had before <paramref name="revisionId"/> (a new revision, so history is never lost).</summary>
    public async Task<FieldRevision> RevertAsync(string id, long revisionId, string author, CancellationToken cancellationToken)
    {
        var snapshot = await SnapshotAsync(id, cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var target = await db.Revisions.AsNoTracking().SingleOrDefaultAsync(r => r.Id == revisionId && r.RecordId == id, cancellationToken)
                     ?? throw new CurationException($"record '{id}' has no revision {revisionId}", notFound: true);
        var original = snapshot.Fields.GetValueOrDefault(target.Field, "");
        var revision = await ChangeAsync(db, snapshot, target.Field, original, target.OldValue, "revert", author, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return revision;
    }

    public async Task SetRatingAsync(string id, int? rating, CancellationToken cancellationToken)
    {
        if (rating is < 1 or > 5) throw new CurationException("a rating is 1 to 5 (or null to clear it)");
        await ReviewAsync(id, r => r.Rating = rating, cancellationToken);
    }

    public async Task SetStateAsync(string id, string state, CancellationToken cancellationToken)
    {
        if (!ReviewStates.All.Contains(state)) throw new CurationException("a state is accepted, rejected or pending");
        await ReviewAsync(id, r => r.State = state, cancellationToken);
    }

    public async Task<List<FieldRevision>> HistoryAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (!await db.Records.AnyAsync(r => r.Id == id, cancellationToken)) throw new CurationException($"no record '{id}'", notFound: true);
        return await db.Revisions.AsNoTracking().Where(r => r.RecordId == id).OrderByDescending(r => r.Id).ToListAsync(cancellationToken);
    }

    private async Task ReviewAsync(string id, Action<RecordEntry> change, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var entry = await db.Records.SingleOrDefaultAsync(r => r.Id == id, cancellationToken) ?? throw new CurationException($"no record '{id}'", notFound: true);
        change(entry);
        entry.ReviewedAt = clock.GetUtcNow().UtcDateTime;
        if (entry.Tier == ProvenanceTiers.Auto) entry.Tier = ProvenanceTiers.HumanReviewed;
        await db.SaveChangesAsync(cancellationToken);
    }

    private async Task<FieldRevision> ChangeAsync(CurationDb db, RecordSnapshot snapshot, string field, string original, string value, string kind, string author, CancellationToken cancellationToken)
    {
        var entry = await db.Records.SingleOrDefaultAsync(r => r.Id == snapshot.Id, cancellationToken)
                    ?? throw new CurationException($"no record '{snapshot.Id}'", notFound: true);
        var edit = await db.Edits.SingleOrDefaultAsync(e => e.RecordId == snapshot.Id && e.Field == field, cancellationToken);
        var current = edit?.Value ?? original;
        if (value == original)
        {
            if (edit is not null) db.Edits.Remove(edit);
        }
        else if (edit is null)
        {
            db.Edits.Add(new FieldEdit { RecordId = snapshot.Id, Field = field, Value = value, Original = original });
        }
        else
        {
            edit.Value = value;
        }
        var revision = new FieldRevision
        {
            RecordId = snapshot.Id, Field = field, Kind = kind, Author = author, At = clock.GetUtcNow().UtcDateTime,
            OldValue = current, NewValue = value, Diff = TextDiff.Unified(current, value),
        };
        db.Revisions.Add(revision);
        await db.SaveChangesAsync(cancellationToken);

        var edits = await db.Edits.AsNoTracking().Where(e => e.RecordId == snapshot.Id).ToDictionaryAsync(e => e.Field, e => e.Value, cancellationToken);
        entry.SearchText = RecordIndexer.SearchText(snapshot, edits);
        entry.Tier = edits.Count > 0 ? ProvenanceTiers.HumanEdited : ProvenanceTiers.HumanReviewed;
        entry.ReviewedAt = revision.At;
        return revision;
    }

    private async Task<RecordSnapshot> SnapshotAsync(string id, CancellationToken cancellationToken) =>
        await RecordReader.ReadAsync(files, id, cancellationToken) ?? throw new CurationException($"no record '{id}'", notFound: true);
}
