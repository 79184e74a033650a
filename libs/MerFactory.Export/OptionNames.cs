using MerFactory.Export.Training;

namespace MerFactory.Export;

/// <summary>
/// The command-line spellings of export.py's and train.sh's choices (<c>sharegpt</c>, <c>emotion-llama-fine</c>,
/// <c>jsonl</c>, <c>ms_swift</c>, …), for the CLI and the gRPC endpoint. Parsing is case-insensitive and errors list
/// the valid values.
/// </summary>
public static class OptionNames
{
    private static readonly (string Name, ExportFormat Value)[] Formats =
        [("sharegpt", ExportFormat.ShareGpt), ("emotion-llama", ExportFormat.EmotionLlama), ("emotion-llama-fine", ExportFormat.EmotionLlamaFine)];

    private static readonly (string Name, JsonFormat Value)[] JsonFormats = [("json", JsonFormat.Json), ("jsonl", JsonFormat.Jsonl)];

    private static readonly (string Name, TrainingFramework Value)[] Frameworks =
        [("llama_factory", TrainingFramework.LlamaFactory), ("ms_swift", TrainingFramework.MsSwift)];

    public static IReadOnlyList<string> ExportFormatNames { get; } = Formats.Select(f => f.Name).ToList();
    public static IReadOnlyList<string> JsonFormatNames { get; } = JsonFormats.Select(f => f.Name).ToList();
    public static IReadOnlyList<string> FrameworkNames { get; } = Frameworks.Select(f => f.Name).ToList();

    public static ExportFormat ParseExportFormat(string value) => Parse(Formats, value, "export format");
    public static JsonFormat ParseJsonFormat(string value) => Parse(JsonFormats, value, "JSON format");

    /// <summary><c>llama_factory</c> or <c>ms_swift</c> (hyphens accepted too).</summary>
    public static TrainingFramework ParseFramework(string value) => Parse(Frameworks, value.Replace('-', '_'), "framework");

    public static string Name(this ExportFormat format) => Formats.First(f => f.Value == format).Name;
    public static string Name(this JsonFormat format) => JsonFormats.First(f => f.Value == format).Name;
    public static string Name(this TrainingFramework framework) => Frameworks.First(f => f.Value == framework).Name;

    private static T Parse<T>((string Name, T Value)[] choices, string value, string what)
    {
        foreach (var (name, choice) in choices)
        {
            if (string.Equals(name, value.Trim(), StringComparison.OrdinalIgnoreCase)) return choice;
        }
        throw new ArgumentException($"Unknown {what} '{value}'; expected one of: {string.Join(", ", choices.Select(c => c.Name))}.", nameof(value));
    }
}
