using System.Text.Json.Nodes;
using MerFactory.Dashboard.Data;
using MerFactory.Export;
using Microsoft.EntityFrameworkCore;

namespace MerFactory.Dashboard.Records;

public sealed record FieldView(string Key, string Label, bool FromLlm, string Value, string Original, bool Edited);

public sealed record MediaLinks(string? Video, string? Audio, string? PeakFrame, string? Image = null);

public sealed record TranscriptView(string Text, IReadOnlyList<TranscriptSegmentView> Segments);

public sealed record TranscriptSegmentView(double Start, double End, string Text);

public sealed record PeakView(double? Timestamp, int? FrameNumber, IReadOnlyDictionary<string, double> TopAus);

/// <summary>Everything the record page shows: fields with edits applied, evidence, media links and curation.</summary>
public sealed record RecordDetails(
    string Id, string Type, int? Rating, string State, string Tier, string? Label, string? Emotion, string? Model, string? PromptsVersion,
    string? SourcePath, PeakView Peak, IReadOnlyList<double> PeakTimes, IReadOnlyList<string> EmotionPeaks,
    IReadOnlyList<FieldView> Fields, MediaLinks Media, TranscriptView? Transcript, AuTimeline? Au, double AuThreshold,
    JsonNode? Eval, IReadOnlyList<string> Files, IReadOnlyList<FieldRevision> History);

/// <summary>Builds <see cref="RecordDetails"/> from the record folder and the curation database.</summary>
public sealed class RecordDetailsReader(IRecordFiles files, IDbContextFactory<CurationDb> dbFactory, Microsoft.Extensions.Options.IOptions<DashboardOptions> options)
{
    public async Task<RecordDetails?> ReadAsync(string id, CancellationToken cancellationToken)
    {
        var snapshot = await RecordReader.ReadAsync(files, id, cancellationToken);
        if (snapshot is null) return null;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var entry = await db.Records.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (entry is null) return null;
        var edits = await db.Edits.AsNoTracking().Where(e => e.RecordId == id).ToDictionaryAsync(e => e.Field, e => e.Value, cancellationToken);
        var history = await db.Revisions.AsNoTracking().Where(r => r.RecordId == id).OrderByDescending(r => r.Id).ToListAsync(cancellationToken);

        var fields = RecordFields.For(snapshot.Type).Where(f => snapshot.Fields.ContainsKey(f.Key) || edits.ContainsKey(f.Key)).Select(f =>
        {
            var original = snapshot.Fields.GetValueOrDefault(f.Key, "");
            var edited = edits.TryGetValue(f.Key, out var value);
            return new FieldView(f.Key, f.Label, f.FromLlm, edited ? value! : original, original, edited);
        }).ToList();

        var names = snapshot.FileNames;
        var source = await files.FindSourceAsync(snapshot, cancellationToken);
        var sourceUrl = source is null ? null : $"/api/records/{Uri.EscapeDataString(id)}/source";
        var isImage = source is not null && SourceClips.IsImage(source.Name);
        var media = new MediaLinks(
            isImage ? null : sourceUrl,
            names.Contains($"{id}.wav") ? FileUrl(id, $"{id}.wav") : null,
            names.Contains($"{id}_peak_frame.png") ? FileUrl(id, $"{id}_peak_frame.png") : null,
            isImage ? sourceUrl : null);

        var transcript = names.Contains($"{id}_transcript.json") ? Transcript(await RecordReader.ReadJsonAsync(files, id, $"{id}_transcript.json", cancellationToken)) : null;
        AuTimeline? au = null;
        if (names.Contains($"{id}.csv"))
        {
            await using var csv = await files.OpenAsync(id, $"{id}.csv", cancellationToken);
            if (csv is not null) au = AuTimeline.Read(new StreamReader(csv));
        }
        var peaks = snapshot.Analysis["chronological_emotion_peaks"] is JsonArray list
            ? list.Select(p => p?.GetValue<string>() ?? "").ToList() : [];
        var topAus = (snapshot.Analysis["overall_peak_frame_info"]?["top_aus_intensities"] as JsonObject ?? [])
            .Where(p => p.Value is JsonValue v && v.TryGetValue<double>(out _)).ToDictionary(p => p.Key, p => p.Value!.GetValue<double>());

        return new RecordDetails(id, entry.Type, entry.Rating, entry.State, entry.Tier, entry.Label, entry.Emotion, entry.Model, snapshot.PromptsVersion,
            snapshot.SourcePath, new PeakView(snapshot.PeakTimestamp, snapshot.PeakFrame, topAus), snapshot.PeakTimes, peaks,
            fields, media, transcript, au, options.Value.AuThreshold, snapshot.Eval?.Raw, names.Order(StringComparer.Ordinal).ToList(), history);
    }

    public static string FileUrl(string id, string name) => $"/api/records/{Uri.EscapeDataString(id)}/files/{Uri.EscapeDataString(name)}";

    private static TranscriptView? Transcript(JsonNode? node)
    {
        if (node is not JsonObject root) return null;
        var text = root["text"] is JsonValue t && t.TryGetValue<string>(out var s) ? s : "";
        var segments = (root["segments"] as JsonArray ?? []).OfType<JsonObject>().Select(seg => new TranscriptSegmentView(
                Number(seg["start"]), Number(seg["end"]), seg["text"] is JsonValue v && v.TryGetValue<string>(out var st) ? st.Trim() : ""))
            .Where(seg => seg.Text.Length > 0).ToList();
        return new TranscriptView(text, segments);
    }

    private static double Number(JsonNode? node) => node is JsonValue v && v.TryGetValue<double>(out var d) ? d : 0;
}
