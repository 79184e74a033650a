using System.Text.Json.Nodes;

namespace MerFactory.Export.Tests;

internal static class ExportTestHelpers
{
    public static Task<ExportResult> ExportFolder(
        string root, ExportFileType type, string exportPath, ExportFormat? format = ExportFormat.ShareGpt,
        JsonFormat json = JsonFormat.Json, bool csv = false, string? promptFile = null, int seed = 0) =>
        new ExportRunner().RunAsync(new ExportOptions
        {
            OutputFolder = root,
            FileType = type,
            ExportPath = exportPath,
            ExportFormat = format,
            JsonFormat = json,
            ExportCsv = csv,
            PromptFile = promptFile,
            Seed = seed,
        });

    public static JsonNode ParseFile(string path) => JsonNode.Parse(File.ReadAllText(path))!;

    public static IReadOnlyList<JsonNode> ParseJsonl(string path) =>
        File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => JsonNode.Parse(l)!).ToList();

    public static void AssertJsonEqual(string expectedJson, JsonNode? actual)
    {
        var expected = JsonNode.Parse(expectedJson);
        Assert.True(JsonNode.DeepEquals(expected, actual),
            $"JSON differs.\nexpected:\n{expected?.ToJsonString(new() { WriteIndented = true })}\nactual:\n{actual?.ToJsonString(new() { WriteIndented = true })}");
    }

    /// <summary>Escapes a path for embedding in an expected-JSON literal.</summary>
    public static string J(string text) => System.Text.Json.JsonSerializer.Serialize(text)[1..^1];
}
