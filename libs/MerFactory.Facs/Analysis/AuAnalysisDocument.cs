using System.Text.Json;
using System.Text.Json.Serialization;
using MerFactory.Facs.Formatting;

namespace MerFactory.Facs.Analysis;

/// <summary>
/// MER-Factory's <c>{id}_au_analysis.json</c> (spec §7.2). <see cref="ToJson"/> writes it byte for byte as MER-Factory
/// does (4-space indent, UTF-8, non-ASCII kept); <see cref="Parse"/> reads it back.
/// </summary>
public sealed record AuAnalysisDocument(
    [property: JsonPropertyName("source_path")] string SourcePath,
    [property: JsonPropertyName("chronological_emotion_peaks")] IReadOnlyList<string> ChronologicalEmotionPeaks,
    [property: JsonPropertyName("overall_peak_au_description")] string OverallPeakAuDescription)
{
    /// <summary>The file name MER-Factory uses for sample <paramref name="id"/>.</summary>
    public static string FileName(string id) => $"{id}_au_analysis.json";

    /// <summary>The document for an analysis of <paramref name="sourcePath"/> (MER-Factory writes the absolute path).</summary>
    public static AuAnalysisDocument From(string sourcePath, FacialAnalysisResult result) =>
        new(sourcePath, result.ChronologicalEmotionPeaks, result.OverallPeakAuDescription);

    public string ToJson() => PythonJson.Serialize(new PythonJsonObject
    {
        { "source_path", SourcePath },
        { "chronological_emotion_peaks", ChronologicalEmotionPeaks },
        { "overall_peak_au_description", OverallPeakAuDescription },
    });

    public void WriteFile(string path) => File.WriteAllText(path, ToJson(), new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false));

    /// <summary>Reads a document; throws <see cref="JsonException"/> naming <paramref name="source"/> when a key is missing.</summary>
    public static AuAnalysisDocument Parse(string json, string source = "au_analysis.json")
    {
        var document = JsonSerializer.Deserialize<AuAnalysisDocument>(json)
            ?? throw new JsonException($"{source}: the document is null.");
        if (document.SourcePath is null || document.ChronologicalEmotionPeaks is null || document.OverallPeakAuDescription is null)
        {
            throw new JsonException($"{source}: source_path, chronological_emotion_peaks and overall_peak_au_description are required.");
        }

        return document;
    }

    public static AuAnalysisDocument ReadFile(string path) => Parse(File.ReadAllText(path), path);
}
