using System.Text.Json.Nodes;
using Json.Schema;

namespace MerFactory.Testing;

/// <summary>Validates result files against <c>schemas/*.schema.json</c> (MER-Factory's §7.2 shapes).</summary>
public static class OutputSchemas
{
    private static readonly Dictionary<string, JsonSchema> Schemas = new(StringComparer.Ordinal);
    private static readonly Lock Gate = new();

    public static JsonSchema For(string name)
    {
        lock (Gate)
        {
            if (!Schemas.TryGetValue(name, out var schema))
            {
                schema = JsonSchema.FromText(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "schemas", name + ".schema.json")));
                Schemas[name] = schema;
            }
            return schema;
        }
    }

    /// <summary>Throws with every violation listed when <paramref name="json"/> does not match the schema.</summary>
    public static JsonObject AssertValid(string name, string json)
    {
        var node = JsonNode.Parse(json) ?? throw new Xunit.Sdk.XunitException($"{name}: empty JSON");
        using var document = System.Text.Json.JsonDocument.Parse(json);
        var result = For(name).Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (!result.IsValid)
        {
            var errors = (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
                .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"));
            throw new Xunit.Sdk.XunitException($"{name} does not match its schema:\n  {string.Join("\n  ", errors)}\n{json}");
        }
        return node.AsObject();
    }

    public static JsonObject AssertValidFile(string name, string path) => AssertValid(name, File.ReadAllText(path));
}
