using MerFactory.Dashboard.Data;
using Microsoft.EntityFrameworkCore;

namespace MerFactory.Dashboard.Records;

public sealed record RecordListItem(string Id, string Type, string? Emotion, string? Label, string? Model, int? Rating, string State, string Tier);

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
        var total = await query.CountAsync(cancellationToken);
        var items = await query.OrderBy(r => r.Id).Skip((page - 1) * pageSize).Take(pageSize)
            .Select(r => new RecordListItem(r.Id, r.Type, r.Emotion, r.Label, r.Model, r.Rating, r.State, r.Tier))
            .ToListAsync(cancellationToken);
        var counts = withCounts ? await CountsAsync(db, query, cancellationToken) : new Dictionary<string, IReadOnlyDictionary<string, int>>();
        return new RecordPage(total, page, pageSize, items, counts);
    }

    /// <summary>The ids of the filtered set in list order (for the export and for keyboard review across pages).</summary>
    public static Task<List<string>> IdsAsync(CurationDb db, RecordFilter filter, CancellationToken cancellationToken) =>
        filter.Apply(db).AsNoTracking().OrderBy(r => r.Id).Select(r => r.Id).ToListAsync(cancellationToken);

    private static async Task<Dictionary<string, IReadOnlyDictionary<string, int>>> CountsAsync(CurationDb db, IQueryable<RecordEntry> query, CancellationToken cancellationToken)
    {
        var counts = new Dictionary<string, IReadOnlyDictionary<string, int>>
        {
            ["type"] = await Group(query.GroupBy(r => r.Type).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken), g => g.Key, g => g.Count),
            ["state"] = await Group(query.GroupBy(r => r.State).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken), g => g.Key, g => g.Count),
            ["tier"] = await Group(query.GroupBy(r => r.Tier).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken), g => g.Key, g => g.Count),
            ["rating"] = await Group(query.GroupBy(r => r.Rating ?? 0).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken), g => g.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), g => g.Count),
            ["label"] = await Group(query.Where(r => r.Label != null).GroupBy(r => r.Label!).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken), g => g.Key, g => g.Count),
        };
        foreach (var (facet, kind) in new[] { ("emotion", TagKinds.Emotion), ("flag", TagKinds.EvalFlag) })
        {
            var tags = db.Tags.AsNoTracking().Where(t => t.Kind == kind && query.Any(r => r.Id == t.RecordId));
            counts[facet] = await Group(tags.GroupBy(t => t.Value).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken), g => g.Key, g => g.Count);
        }
        return counts;
    }

    private static async Task<IReadOnlyDictionary<string, int>> Group<T>(Task<List<T>> rows, Func<T, string> key, Func<T, int> count) =>
        (await rows).ToDictionary(key, count, StringComparer.Ordinal);
}
