using System.Text.Json;

namespace MerFactory.Pipeline.Orchestration;

/// <summary>
/// What a dataset (an OUTPUT folder) already holds for one input, used with <c>--cache</c>: whether its final record is
/// there (the file is skipped), and the per-modality results of earlier <c>--type audio/video/AU</c> runs, which MER
/// reuses instead of asking for them again (spec §1.7 B).
/// </summary>
public sealed record EarlierResults(bool FinalRecordDone, string? AudioAnalysis, string? VideoDescription, IReadOnlyList<string>? EmotionPeaks)
{
    public static readonly EarlierResults None = new(false, null, null, null);

    public bool IsEmpty => !FinalRecordDone && AudioAnalysis is null && VideoDescription is null && EmotionPeaks is null;

    /// <summary>The results of <paramref name="input"/> in the dataset: the one the job was given (a remote client's), else its OUTPUT folder.</summary>
    public static EarlierResults Of(InputFile input, JobOptions options, OutputFolder output) =>
        options.Dataset?.GetValueOrDefault(input.RelativePath) ?? Read(output, input.Id, JobRunner.EffectiveType(input, options));

    /// <summary>Reads a file's earlier results from an OUTPUT folder (the embedded dataset, or a remote client's local copy).</summary>
    public static EarlierResults Read(OutputFolder output, string id, ProcessingType type) => new(
        File.Exists(output.FilePath(id, JobOptions.FinalOutputSuffix(type))),
        ReadString(output.FilePath(id, "_audio_analysis.json"), "audio_analysis"),
        ReadString(output.FilePath(id, "_video_analysis.json"), "llm_video_summary"),
        ReadStrings(output.FilePath(id, "_au_analysis.json"), "chronological_emotion_peaks"));

    private static string? ReadString(string path, string key)
    {
        var element = ReadKey(path, key);
        return element?.ValueKind switch
        {
            JsonValueKind.String => element.Value.GetString() is { Length: > 0 } text ? text : null,
            // MER-Factory wrote {"transcript","tone_description"} objects after audio errors: those are not results.
            _ => null,
        };
    }

    private static IReadOnlyList<string>? ReadStrings(string path, string key) =>
        ReadKey(path, key) is { ValueKind: JsonValueKind.Array } array && array.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String)
            ? [.. array.EnumerateArray().Select(e => e.GetString()!)]
            : null;

    private static JsonElement? ReadKey(string path, string key)
    {
        if (!File.Exists(path)) return null;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            return document.RootElement.TryGetProperty(key, out var value) ? value.Clone() : null;
        }
        catch (JsonException)
        {
            return null; // a damaged earlier result is recomputed, not trusted
        }
    }
}
