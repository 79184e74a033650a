using System.Globalization;
using MerFactory.Dashboard.Data;
using Microsoft.AspNetCore.Http;

namespace MerFactory.Dashboard.Records;

/// <summary>
/// The list filters, read from the query string (<c>type, rating, rating_min, state, tier, emotion, label, q, flag,
/// metric, metric_min, metric_max</c>). Used alike by the list, its counts and the curated export.
/// </summary>
public sealed record RecordFilter
{
    public string? Type { get; init; }
    /// <summary>An exact rating 1–5, or 0 for "not rated".</summary>
    public int? Rating { get; init; }
    public int? RatingMin { get; init; }
    public IReadOnlyList<string> States { get; init; } = [];
    public IReadOnlyList<string> Tiers { get; init; } = [];
    public string? Emotion { get; init; }
    public string? Label { get; init; }
    public string? Text { get; init; }
    public string? Flag { get; init; }
    public string? Metric { get; init; }
    public double? MetricMin { get; init; }
    public double? MetricMax { get; init; }

    public static RecordFilter From(IQueryCollection query) => new()
    {
        Type = NonEmpty(query["type"]),
        Rating = Int(query["rating"]),
        RatingMin = Int(query["rating_min"]),
        States = List(query["state"]),
        Tiers = List(query["tier"]),
        Emotion = NonEmpty(query["emotion"]),
        Label = NonEmpty(query["label"]),
        Text = NonEmpty(query["q"])?.ToLowerInvariant(),
        Flag = NonEmpty(query["flag"]),
        Metric = NonEmpty(query["metric"]),
        MetricMin = Double(query["metric_min"]),
        MetricMax = Double(query["metric_max"]),
    };

    /// <summary>True when no filter is set: the whole dataset.</summary>
    public bool IsEmpty =>
        Type is null && Rating is null && RatingMin is null && States.Count == 0 && Tiers.Count == 0 && Emotion is null && Label is null
        && Text is null && Flag is null && Metric is null;

    public IQueryable<RecordEntry> Apply(CurationDb db)
    {
        IQueryable<RecordEntry> q = db.Records;
        if (Type is { } type) q = q.Where(r => r.Type == type);
        if (Rating is 0) q = q.Where(r => r.Rating == null);
        else if (Rating is { } rating) q = q.Where(r => r.Rating == rating);
        if (RatingMin is { } min) q = q.Where(r => r.Rating >= min);
        if (States.Count > 0) q = q.Where(r => States.Contains(r.State));
        if (Tiers.Count > 0) q = q.Where(r => Tiers.Contains(r.Tier));
        // Uncorrelated "Id IN (SELECT ...)": the database builds the id set once, instead of probing per record.
        if (Emotion is { } emotion) q = q.Where(r => db.Tags.Where(t => t.Kind == TagKinds.Emotion && t.Value == emotion).Select(t => t.RecordId).Contains(r.Id));
        if (Label is { } label) q = q.Where(r => r.Label == label);
        if (Text is { } text) q = q.Where(r => r.SearchText.Contains(text));
        if (Flag is { } flag) q = q.Where(r => db.Tags.Where(t => t.Kind == TagKinds.EvalFlag && t.Value == flag).Select(t => t.RecordId).Contains(r.Id));
        if (Metric is { } metric)
        {
            var lo = MetricMin ?? double.MinValue;
            var hi = MetricMax ?? double.MaxValue;
            q = q.Where(r => db.Metrics.Where(m => m.Name == metric && m.Value >= lo && m.Value <= hi).Select(m => m.RecordId).Contains(r.Id));
        }
        return q;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static IReadOnlyList<string> List(Microsoft.Extensions.Primitives.StringValues values) =>
        values.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();

    private static int? Int(string? value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i : null;

    private static double? Double(string? value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null;
}
