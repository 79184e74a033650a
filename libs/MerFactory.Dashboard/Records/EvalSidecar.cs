using System.Text.Json.Nodes;

namespace MerFactory.Dashboard.Records;

/// <summary>
/// What the index takes from an evaluation sidecar <c>{id}/{id}_eval.json</c> (schemas/eval.schema.json of the
/// evaluation: <c>metrics</c> by name, <c>flags</c> as <c>{code, message}</c>): every finite number as a metric (those
/// under <c>metrics</c> by their own name, others with their path, e.g. <c>extra.score</c>) and every flag code. Read
/// tolerantly: null metrics and unknown keys are skipped, a missing or malformed file means no evaluation.
/// </summary>
public sealed record EvalSidecar(IReadOnlyDictionary<string, double> Metrics, IReadOnlyList<string> Flags, JsonNode Raw)
{
    private static readonly string[] FlagKeys = ["flags", "issues", "warnings"];
    private static readonly string[] NotMetrics = ["schema_version"];

    public static EvalSidecar? From(JsonNode? node)
    {
        if (node is not JsonObject root) return null;
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        var flags = new List<string>();
        Walk(root, "", metrics, flags);
        return new EvalSidecar(metrics, flags.Distinct(StringComparer.Ordinal).ToList(), root);
    }

    private static void Walk(JsonObject node, string prefix, Dictionary<string, double> metrics, List<string> flags)
    {
        foreach (var (key, value) in node)
        {
            var name = prefix + key;
            switch (value)
            {
                case JsonValue when prefix.Length == 0 && NotMetrics.Contains(key):
                    break;
                case JsonValue v when v.TryGetValue<double>(out var d) && double.IsFinite(d):
                    metrics[name] = d;
                    break;
                case JsonValue v when v.TryGetValue<bool>(out var b) && IsFlagKey(key):
                    if (b) flags.Add(key);
                    break;
                case JsonArray array when FlagKeys.Contains(key, StringComparer.OrdinalIgnoreCase):
                    flags.AddRange(array.Select(FlagName).OfType<string>());
                    break;
                case JsonObject child when FlagKeys.Contains(key, StringComparer.OrdinalIgnoreCase):
                    flags.AddRange(child.Where(p => p.Value is JsonValue f && f.TryGetValue<bool>(out var on) && on).Select(p => p.Key));
                    break;
                case JsonObject child:
                    Walk(child, prefix.Length == 0 && key == "metrics" ? "" : name + ".", metrics, flags);
                    break;
            }
        }
    }

    private static bool IsFlagKey(string key) => key.StartsWith("is_", StringComparison.Ordinal) || key.StartsWith("flag", StringComparison.Ordinal);

    /// <summary>A flag is a string, or an object naming itself by "flag", "code", "name" or "type".</summary>
    private static string? FlagName(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) && s.Length > 0 => s,
        JsonObject o => new[] { "flag", "code", "name", "type" }.Select(k => o[k]).OfType<JsonValue>()
            .Select(v => v.TryGetValue<string>(out var s) ? s : null).FirstOrDefault(s => !string.IsNullOrEmpty(s)),
        _ => null,
    };
}
