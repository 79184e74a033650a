using MerFactory.Dashboard.Data;
using Microsoft.EntityFrameworkCore;

namespace MerFactory.Dashboard.Records;

public sealed record RecordListItem(string Id, string Type, string? Emotion, string? Label, string? Model, int? Rating, string State, string Tier);

public sealed record RecordNeighbors(int Index, int Total, string? Previous, string? Next);

/// <summary>One page of the list, the exact total, and per-facet counts within the filtered set.</summary>
public sealed record RecordPage(int Total, int Page, int PageSize, IReadOnlyList<RecordListItem> Items, IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> Counts);

/// <summary>Server-side paging and exact facet counts, all computed by the database.</summary>
public static class RecordQuery
{
    public const int MaxPageSize = 500;

    public static async Task<RecordPage> PageAsync(CurationDb db, RecordFilter filter, int page, int pageSize, bool withCounts, CancellationToken cancellationToken)
    {
        page = Math.Max(1, page);
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        var query = filter.Apply(db).AsNoTracking();
        var items = await query.OrderBy(r => r.Id).Skip((page - 1) * pageSize).Take(pageSize)
            .Select(r => new RecordListItem(r.Id, r.Type, r.Emotion, r.Label, r.Model, r.Rating, r.State, r.Tier))
            .ToListAsync(cancellationToken);
        if (!withCounts) return new RecordPage(await query.CountAsync(cancellationToken), page, pageSize, items, new Dictionary<string, IReadOnlyDictionary<string, int>>());
        var (total, counts) = await CountsAsync(db, filter, query, cancellationToken);
        return new RecordPage(total, page, pageSize, items, counts);
    }

    /// <summary>The ids of the filtered set in list order (for the export and for keyboard review across pages).</summary>
    public static Task<List<string>> IdsAsync(CurationDb db, RecordFilter filter, CancellationToken cancellationToken) =>
        filter.Apply(db).AsNoTracking().OrderBy(r => r.Id).Select(r => r.Id).ToListAsync(cancellationToken);

    /// <summary>Where <paramref name="id"/> sits in the filtered list and the records before and after it.</summary>
    public static async Task<RecordNeighbors> NeighborsAsync(CurationDb db, RecordFilter filter, string id, CancellationToken cancellationToken)
    {
        var query = filter.Apply(db).AsNoTracking();
        // The total, the records before it and whether it is listed, in one pass over the filtered set.
        var position = await query.GroupBy(_ => 1)
            .Select(g => new { Total = g.Count(), Before = g.Count(r => r.Id.CompareTo(id) < 0), Found = g.Count(r => r.Id == id) })
            .FirstOrDefaultAsync(cancellationToken);
        var previous = await query.Where(r => r.Id.CompareTo(id) < 0).OrderByDescending(r => r.Id).Select(r => r.Id).FirstOrDefaultAsync(cancellationToken);
        var next = await query.Where(r => r.Id.CompareTo(id) > 0).OrderBy(r => r.Id).Select(r => r.Id).FirstOrDefaultAsync(cancellationToken);
        return new RecordNeighbors(position is { Found: > 0 } ? position.Before : -1, position?.Total ?? 0, previous, next);
    }

    /// <summary>
    /// The exact total and per-facet counts of the filtered set in two passes over it (a free-text filter is evaluated
    /// twice, not once per facet): the record facets by one GROUP BY over their columns, the tag facets by one query.
    /// </summary>
    private static async Task<(int Total, Dictionary<string, IReadOnlyDictionary<string, int>> Counts)> CountsAsync(CurationDb db, RecordFilter filter, IQueryable<RecordEntry> query, CancellationToken cancellationToken)
    {
        // One GROUP BY over the facet columns, walked along their covering index (IX_Records_Facets) without a sort:
        // a few hundred combinations come back, not one row per record.
        var groups = await query.GroupBy(r => new { r.Type, r.State, r.Tier, r.Rating, r.Label })
            .Select(g => new { g.Key.Type, g.Key.State, g.Key.Tier, g.Key.Rating, g.Key.Label, Count = g.Count() })
            .ToListAsync(cancellationToken);
        IReadOnlyDictionary<string, int> Count(Func<int, string?> facet) =>
            Enumerable.Range(0, groups.Count).Where(i => facet(i) is not null)
                .GroupBy(i => facet(i)!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(i => groups[i].Count), StringComparer.Ordinal);
        var counts = new Dictionary<string, IReadOnlyDictionary<string, int>>
        {
            ["type"] = Count(i => groups[i].Type),
            ["state"] = Count(i => groups[i].State),
            ["tier"] = Count(i => groups[i].Tier),
            ["rating"] = Count(i => (groups[i].Rating ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ["label"] = Count(i => groups[i].Label),
        };
        // The filtered ids are gathered once (one pass over the records), then the tags are read from their covering
        // (RecordId, Kind, Value) key; a join let SQLite walk the tags and fetch a record row for each. Unfiltered,
        // every tag counts and the records are not read at all.
        var tagged = filter.IsEmpty ? db.Tags.AsNoTracking() : db.Tags.AsNoTracking().Where(t => query.Select(r => r.Id).Contains(t.RecordId));
        var tags = await tagged.GroupBy(t => new { t.Kind, t.Value })
            .Select(g => new { g.Key.Kind, g.Key.Value, Count = g.Count() }).ToListAsync(cancellationToken);
        foreach (var (facet, kind) in new[] { ("emotion", TagKinds.Emotion), ("flag", TagKinds.EvalFlag) })
            counts[facet] = tags.Where(t => t.Kind == kind).ToDictionary(t => t.Value, t => t.Count, StringComparer.Ordinal);
        return (groups.Sum(g => g.Count), counts);
    }
}
