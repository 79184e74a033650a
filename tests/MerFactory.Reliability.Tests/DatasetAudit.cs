using System.Text.Json.Nodes;
using MerFactory.Testing;

namespace MerFactory.Reliability.Tests;

/// <summary>What must hold for any OUTPUT folder after any run, however its inputs or models misbehaved.</summary>
internal static class DatasetAudit
{
    private static readonly (string Suffix, string Schema)[] Records =
    [
        ("_merr_data.json", "merr_data"), ("_image_analysis.json", "image_analysis"),
        ("_audio_analysis.json", "audio_analysis"), ("_video_analysis.json", "video_analysis"),
    ];

    /// <summary>Texts a stand-in model or a placeholder would leave; none may be a dataset field.</summary>
    public static readonly string[] Forbidden = ["N/A", "Error:", "error -", "\"error\"", "overloaded", "I'm sorry", "I cannot", "As an AI", "Internal Server Error"];

    /// <summary>Schema-valid records with no placeholder or model error text, and no half-written file anywhere.</summary>
    public static int AssertClean(string output)
    {
        Assert.Empty(Directory.EnumerateFiles(output, "*.partial", SearchOption.AllDirectories));
        var records = 0;
        foreach (var file in Directory.EnumerateFiles(output, "*.json", SearchOption.AllDirectories).Where(f => !f.Contains("/.merfactory/", StringComparison.Ordinal)))
        {
            var (suffix, schema) = Records.FirstOrDefault(r => file.EndsWith(r.Suffix, StringComparison.Ordinal));
            if (schema is null) continue;
            var record = OutputSchemas.AssertValidFile(schema, file);
            records++;
            foreach (var text in Strings(record))
            {
                Assert.True(text.Length <= 32 * 1024, $"{file}: a field of {text.Length} characters");
                foreach (var bad in Forbidden) Assert.False(text.StartsWith(bad, StringComparison.OrdinalIgnoreCase) || text == bad, $"{file}: a field holds \"{text[..Math.Min(80, text.Length)]}\"");
            }
        }
        return records;
    }

    private static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => p.Key == "source_path" || p.Key == "audio_path" ? [] : Strings(p.Value)),
        JsonArray a => a.SelectMany(Strings),
        JsonValue v when v.TryGetValue<string>(out var s) => [s],
        _ => [],
    };
}
