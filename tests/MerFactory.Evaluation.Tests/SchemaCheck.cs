using Json.Schema;

namespace MerFactory.Evaluation.Tests;

/// <summary>Validates <c>{id}_eval.json</c> against <c>schemas/eval.schema.json</c>, listing every violation.</summary>
internal static class SchemaCheck
{
    private static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromText(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "schemas", "eval.schema.json"))));

    public static void AssertValid(string path)
    {
        using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path));
        var result = Schema.Value.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (result.IsValid) return;
        var errors = (result.Details ?? []).Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"));
        throw new Xunit.Sdk.XunitException($"{path} does not match eval.schema.json:\n  {string.Join("\n  ", errors)}");
    }
}
