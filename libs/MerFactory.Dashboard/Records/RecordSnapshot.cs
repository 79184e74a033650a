using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MerFactory.Export;

namespace MerFactory.Dashboard.Records;

/// <summary>What the analysis JSON and its sidecars of one record say, before curation.</summary>
public sealed record RecordSnapshot(
    string Id,
    ExportFileType Type,
    JsonObject Analysis,
    IReadOnlyDictionary<string, string> Fields,
    IReadOnlyList<string> PeakEmotions,
    IReadOnlyList<double> PeakTimes,
    string? Label,
    string? Model,
    string? PromptsVersion,
    EvalSidecar? Eval,
    long Stamp,
    IReadOnlySet<string> FileNames)
{
    public string? SourcePath => Analysis["source_path"]?.GetValue<string>();

    public double? PeakTimestamp => Analysis["overall_peak_frame_info"]?["timestamp"] is JsonValue v && v.TryGetValue<double>(out var t) ? t : null;

    public int? PeakFrame => Analysis["overall_peak_frame_info"]?["frame_number"] is JsonValue v && v.TryGetValue<int>(out var f) ? f : null;
}

/// <summary>Reads a record folder into a <see cref="RecordSnapshot"/>; null when it holds no analysis JSON or the JSON is unreadable.</summary>
public static partial class RecordReader
{
    private static readonly JsonDocumentOptions JsonOptions = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    public static async Task<RecordSnapshot?> ReadAsync(IRecordFiles files, string id, CancellationToken cancellationToken)
    {
        var listing = await files.ListFilesAsync(id, cancellationToken);
        if (listing.Count == 0) return null;
        var names = listing.ToDictionary(f => f.Name, StringComparer.Ordinal);
        var type = RecordFields.Priority.FirstOrDefault(t => names.ContainsKey(t.AnalysisFileName(id)), (ExportFileType)(-1));
        if (!Enum.IsDefined(type)) return null;

        var analysis = await ReadJsonAsync(files, id, type.AnalysisFileName(id), cancellationToken) as JsonObject;
        if (analysis is null) return null;
        var stamp = Stamp(names, id, type);

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var spec in RecordFields.For(type))
        {
            if (Resolve(analysis, spec.Key) is JsonValue value && value.TryGetValue<string>(out var text)) fields[spec.Key] = text;
        }

        var (emotions, times) = PeakEmotions(analysis);
        string? model = null, promptsVersion = null;
        if (names.ContainsKey($"{id}_steps.json") && await ReadJsonAsync(files, id, $"{id}_steps.json", cancellationToken) is JsonObject steps)
            (model, promptsVersion) = StepsModel(steps);
        var eval = names.ContainsKey($"{id}_eval.json") ? EvalSidecar.From(await ReadJsonAsync(files, id, $"{id}_eval.json", cancellationToken)) : null;
        var label = analysis["ground_truth_label"] is JsonValue l && l.TryGetValue<string>(out var lt) && lt.Length > 0 ? lt : null;
        return new RecordSnapshot(id, type, analysis, fields, emotions, times, label, model, promptsVersion, eval, stamp, names.Keys.ToHashSet(StringComparer.Ordinal));
    }

    /// <summary>The newest write time of the files the index reads: a change to any of them re-indexes the record.</summary>
    public static long Stamp(IReadOnlyDictionary<string, RecordFileInfo> names, string id, ExportFileType type)
    {
        long stamp = 0;
        foreach (var name in new[] { type.AnalysisFileName(id), $"{id}_steps.json", $"{id}_eval.json" })
            if (names.TryGetValue(name, out var info)) stamp = Math.Max(stamp, info.LastWriteUtc.Ticks ^ info.Length);
        return stamp;
    }

    public static JsonNode? Resolve(JsonObject root, string dottedPath)
    {
        JsonNode? node = root;
        foreach (var part in dottedPath.Split('.'))
            node = node is JsonObject o ? o[part] : null;
        return node;
    }

    internal static async Task<JsonNode?> ReadJsonAsync(IRecordFiles files, string id, string name, CancellationToken cancellationToken)
    {
        await using var stream = await files.OpenAsync(id, name, cancellationToken);
        if (stream is null) return null;
        try
        {
            return await JsonNode.ParseAsync(stream, documentOptions: JsonOptions, cancellationToken: cancellationToken);
        }
        catch (JsonException)
        {
            return null; // a malformed sidecar is ignored; a malformed analysis JSON makes the folder no record
        }
    }

    /// <summary>Emotions at the overall peak ("Peak at 1.50s: happiness (moderate), ..."), and every peak's time.</summary>
    private static (IReadOnlyList<string> Emotions, IReadOnlyList<double> Times) PeakEmotions(JsonObject analysis)
    {
        if (analysis["chronological_emotion_peaks"] is not JsonArray peaks) return ([], []);
        var parsed = peaks.Select(p => p is JsonValue v && v.TryGetValue<string>(out var s) ? PeakText().Match(s) : Match.Empty)
            .Where(m => m.Success)
            .Select(m => (Time: double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture),
                Emotions: EmotionName().Matches(m.Groups[2].Value).Select(e => e.Groups[1].Value).ToList()))
            .ToList();
        if (parsed.Count == 0) return ([], []);
        var overall = analysis["overall_peak_frame_info"]?["timestamp"] is JsonValue t && t.TryGetValue<double>(out var ts) ? ts : (double?)null;
        var atPeak = overall is { } o ? parsed.MinBy(p => Math.Abs(p.Time - o)) : parsed[0];
        return (atPeak.Emotions, parsed.Select(p => p.Time).ToList());
    }

    private static (string? Model, string? PromptsVersion) StepsModel(JsonObject steps)
    {
        var models = (steps["Steps"] as JsonArray ?? [])
            .OfType<JsonObject>()
            .Where(s => s["Model"] is JsonValue m && m.TryGetValue<string>(out var name) && name.Length > 0)
            .Select(s => (Step: s["Step"]?.GetValue<string>() ?? "", Model: s["Model"]!.GetValue<string>()))
            .ToList();
        var model = models.FirstOrDefault(m => m.Step.Contains("synthesis", StringComparison.Ordinal)).Model ?? models.LastOrDefault().Model;
        var prompts = steps["PromptsVersion"] is JsonValue p && p.TryGetValue<string>(out var pv) && pv.Length > 0 ? pv : null;
        return (model, prompts);
    }

    [GeneratedRegex(@"^Peak at (\d+(?:\.\d+)?)s: (.+)$")]
    private static partial Regex PeakText();

    [GeneratedRegex(@"([a-z]+) \((?:slight|moderate|strong)\)")]
    private static partial Regex EmotionName();
}
