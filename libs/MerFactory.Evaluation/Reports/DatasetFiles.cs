using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MerFactory.Evaluation.Reports;

/// <summary>
/// Streams <c>evaluation.json</c> (<c>{"records": [...], "summary": {...}}</c>) and <c>evaluation.csv</c> record by record,
/// so a dataset of any size is written in constant memory. Both appear at their final paths only when complete.
/// </summary>
public sealed class DatasetFiles : IDisposable
{
    private readonly string _jsonPath, _csvPath;
    private readonly FileStream _jsonStream;
    private readonly Utf8JsonWriter _json;
    private readonly StreamWriter _csv;
    private bool _completed;

    public DatasetFiles(string outputFolder)
    {
        _jsonPath = Path.Combine(outputFolder, "evaluation.json");
        _csvPath = Path.Combine(outputFolder, "evaluation.csv");
        _jsonStream = File.Create(_jsonPath + ".partial");
        _json = new Utf8JsonWriter(_jsonStream, EvaluationJson.WriterOptions);
        _json.WriteStartObject();
        _json.WriteNumber("schema_version", EvaluationJson.SchemaVersion);
        _json.WriteStartArray("records");
        _csv = new StreamWriter(_csvPath + ".partial", false, new UTF8Encoding(false));
        _csv.WriteLine(string.Join(',', ["id", "kind", .. MetricNames.All, "flags"]));
    }

    public void Add(RecordEvaluation evaluation)
    {
        EvaluationJson.WriteRecord(_json, evaluation, withCues: false);
        if (_json.BytesPending > 1 << 16) _json.Flush();
        var line = new StringBuilder();
        line.Append(Csv(evaluation.Id)).Append(',').Append(evaluation.Kind);
        foreach (var name in MetricNames.All)
        {
            line.Append(',');
            if (evaluation.Metrics[name] is { } value) line.Append(value.ToString("R", CultureInfo.InvariantCulture));
        }
        line.Append(',').Append(string.Join(';', evaluation.FlagCodesRaised));
        _csv.WriteLine(line);
    }

    /// <summary>Writes the summary, closes both files and moves them into place.</summary>
    public void Complete(EvaluationSummary summary, string source)
    {
        _json.WriteEndArray();
        _json.WritePropertyName("summary");
        SummaryJson.Write(_json, summary, source);
        _json.WriteEndObject();
        _json.Flush();
        _json.Dispose();
        _jsonStream.Dispose();
        _csv.Dispose();
        File.Move(_jsonPath + ".partial", _jsonPath, overwrite: true);
        File.Move(_csvPath + ".partial", _csvPath, overwrite: true);
        _completed = true;
    }

    public void Dispose()
    {
        if (_completed) return;
        _json.Dispose();
        _jsonStream.Dispose();
        _csv.Dispose();
        File.Delete(_jsonPath + ".partial");
        File.Delete(_csvPath + ".partial");
    }

    private static string Csv(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}

/// <summary>The <c>summary</c> object of <c>evaluation.json</c>.</summary>
public static class SummaryJson
{
    public static void Write(Utf8JsonWriter json, EvaluationSummary summary, string source)
    {
        json.WriteStartObject();
        json.WriteString("source", source);
        json.WriteNumber("records", summary.Records);
        json.WriteNumber("flagged_records", summary.FlaggedRecords);
        json.WriteNumber("errors", summary.ErrorCount);
        json.WriteStartArray("error_details");
        foreach (var error in summary.Errors) json.WriteStringValue(error);
        json.WriteEndArray();
        if (summary.LabelHitRate is { } hit) json.WriteNumber("label_hit_rate", Math.Round(hit, 4)); else json.WriteNull("label_hit_rate");
        json.WriteStartObject("flag_counts");
        foreach (var (code, count) in summary.FlagCounts) json.WriteNumber(code, count);
        json.WriteEndObject();
        json.WriteStartObject("composite_weights");
        foreach (var (component, weight) in Composite.Weights) json.WriteNumber(component, weight);
        json.WriteEndObject();
        json.WriteStartObject("metrics");
        foreach (var stats in summary.Metrics.Values)
        {
            json.WriteStartObject(stats.Name);
            json.WriteNumber("count", stats.Count);
            json.WriteNumber("nulls", stats.Nulls);
            if (stats.Mean is { } mean) json.WriteNumber("mean", Math.Round(mean, 4)); else json.WriteNull("mean");
            if (stats.Count > 0) { json.WriteNumber("min", stats.Min); json.WriteNumber("max", stats.Max); }
            else { json.WriteNull("min"); json.WriteNull("max"); }
            json.WriteStartObject("null_reasons");
            foreach (var (reason, count) in stats.NullReasons.OrderByDescending(r => r.Value)) json.WriteNumber(reason, count);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        json.WriteEndObject();
        json.WriteStartArray("worst");
        foreach (var worst in summary.Worst) json.WriteStringValue(worst.Id);
        json.WriteEndArray();
        json.WriteEndObject();
    }
}
