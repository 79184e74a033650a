using System.Text.Encodings.Web;
using System.Text.Json;

namespace MerFactory.Evaluation.Reports;

/// <summary>
/// The JSON of an evaluation: the <c>{id}_eval.json</c> sidecar (schema <c>schemas/eval.schema.json</c>) and the records of
/// <c>evaluation.json</c>. Keys are snake_case and stable; every metric is present, null with a reason when not computed.
/// </summary>
public static class EvaluationJson
{
    public const int SchemaVersion = 1;
    public const string SidecarSuffix = "_eval.json";

    public static readonly JsonWriterOptions WriterOptions = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The sidecar text: the record with its cited cues.</summary>
    public static byte[] Sidecar(RecordEvaluation evaluation)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions)) WriteRecord(writer, evaluation, withCues: true);
        return buffer.ToArray();
    }

    /// <summary>One record object; <paramref name="withCues"/> adds the cited cues (the sidecar has them, evaluation.json not).</summary>
    public static void WriteRecord(Utf8JsonWriter writer, RecordEvaluation evaluation, bool withCues)
    {
        writer.WriteStartObject();
        if (withCues) writer.WriteNumber("schema_version", SchemaVersion);
        writer.WriteString("id", evaluation.Id);
        writer.WriteString("kind", evaluation.Kind);
        writer.WriteStartObject("metrics");
        foreach (var name in MetricNames.All)
        {
            if (evaluation.Metrics[name] is { } value) writer.WriteNumber(name, value);
            else writer.WriteNull(name);
        }
        writer.WriteEndObject();
        writer.WriteStartArray("flags");
        foreach (var flag in evaluation.Flags)
        {
            writer.WriteStartObject();
            writer.WriteString("code", flag.Code);
            writer.WriteString("message", flag.Message);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteStartObject("reasons");
        foreach (var name in MetricNames.All)
            if (evaluation.Reasons.TryGetValue(name, out var reason)) writer.WriteString(name, reason);
        writer.WriteEndObject();
        if (withCues)
        {
            writer.WriteStartArray("cues");
            foreach (var cue in evaluation.Cues)
            {
                writer.WriteStartObject();
                writer.WriteString("kind", cue.Kind);
                writer.WriteString("field", cue.Field);
                writer.WriteString("text", cue.Text);
                writer.WriteString("target", cue.Target);
                writer.WriteString("status", cue.Status.ToString().ToLowerInvariant());
                writer.WriteString("evidence", cue.Evidence);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
        writer.WriteEndObject();
    }

    /// <summary>What export filters and the dashboard need from a sidecar: the composite score and the flag codes.</summary>
    public static (double? Composite, IReadOnlySet<string> Flags) ReadScoreAndFlags(Stream sidecar)
    {
        using var document = JsonDocument.Parse(sidecar);
        var root = document.RootElement;
        double? composite = root.TryGetProperty("metrics", out var metrics) && metrics.TryGetProperty(MetricNames.CompositeScore, out var score)
                            && score.ValueKind == JsonValueKind.Number ? score.GetDouble() : null;
        var flags = new HashSet<string>(StringComparer.Ordinal);
        if (root.TryGetProperty("flags", out var list) && list.ValueKind == JsonValueKind.Array)
            foreach (var flag in list.EnumerateArray())
                if (flag.TryGetProperty("code", out var code) && code.GetString() is { } text) flags.Add(text);
        return (composite, flags);
    }
}
