using System.Text.Json;
using MerFactory.Facs.Analysis;
using MerFactory.Facs.OpenFace;

namespace MerFactory.Evaluation.Evidence;

/// <summary>
/// Reads one record folder of MerFactory's (or MER-Factory's) output layout, <c>OUTPUT/{id}/</c>: the analysis JSON,
/// the AU table <c>{id}.csv</c>, and the sidecars <c>{id}_transcript.json</c>, <c>{id}_media.json</c>, <c>{id}_steps.json</c>.
/// Missing or unreadable artefacts become null with a reason; they never stop the record.
/// </summary>
public static class RecordFolderReader
{
    /// <summary>Record kinds by their analysis file suffix, in MER-Factory's evaluation priority (spec §10.2).</summary>
    public static IReadOnlyList<(string Kind, string Suffix)> Kinds { get; } =
    [
        ("mer", "_merr_data.json"), ("audio", "_audio_analysis.json"), ("video", "_video_analysis.json"),
        ("image", "_image_analysis.json"), ("au", "_au_analysis.json"),
    ];

    private static readonly JsonDocumentOptions Options = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    /// <summary>The record in <paramref name="folder"/>, or null when it holds no analysis JSON (not a record).</summary>
    /// <exception cref="JsonException">The analysis JSON itself is malformed.</exception>
    public static RecordEvidence? Read(string folder, IReadOnlyDictionary<string, string>? labels = null)
    {
        var id = Path.GetFileName(Path.TrimEndingDirectorySeparator(folder));
        string File(string suffix) => System.IO.Path.Combine(folder, id + suffix);
        var (kind, analysisPath) = Kinds.Select(k => (k.Kind, Path: File(k.Suffix))).FirstOrDefault(k => System.IO.File.Exists(k.Path));
        if (kind is null) return null;

        var missing = new Dictionary<string, string>(StringComparer.Ordinal);
        using var analysis = JsonDocument.Parse(System.IO.File.ReadAllBytes(analysisPath), Options);
        var root = analysis.RootElement;
        var texts = ReadTexts(kind, root);

        var table = ReadAuTable(File(".csv"), id, missing);
        var peaks = root.Strings("chronological_emotion_peaks");
        if (peaks.Count == 0 && kind != "au") peaks = ReadJson(File("_au_analysis.json"), d => d.Strings("chronological_emotion_peaks")) ?? [];
        var peakSeconds = root.Path("overall_peak_frame_info", "timestamp") is { ValueKind: JsonValueKind.Number } t ? t.GetDouble()
            : table is { Count: > 0 } ? OverallPeakSeconds(table) : (double?)null;

        var speech = ReadJson(File("_transcript.json"), SpeechEvidenceReader.Read);
        if (speech is null) missing["transcript"] = $"no {id}_transcript.json (no audio track, or not a run with audio)";
        var media = ReadJson(File("_media.json"), m => new MediaFacts(m.Path("Probe", "DurationSeconds") is { ValueKind: JsonValueKind.Number } d ? d.GetDouble() : null, m.Get("HasAudio")?.ValueKind == JsonValueKind.True));
        if (media is { HasAudio: false }) missing["transcript"] = "the clip has no audio track";
        var duration = media?.Duration is > 0 ? media.Duration
            : speech is { DurationSeconds: > 0 } ? speech.DurationSeconds
            : table is { Count: > 0 } ? table.Frames[^1].Timestamp : (double?)null;
        if (duration is null) missing["duration"] = $"clip length unknown (no {id}_media.json, transcript or AU table)";

        var steps = ReadJson(File("_steps.json"), ReadSteps);
        if (steps is null) missing["steps"] = $"no {id}_steps.json";

        return new RecordEvidence
        {
            Id = id,
            Kind = kind,
            Texts = texts,
            AuTable = table,
            EmotionPeaks = peaks,
            OverallPeakSeconds = peakSeconds,
            Speech = speech,
            DurationSeconds = duration,
            Steps = steps,
            Label = labels?.GetValueOrDefault(id) ?? (root.Text("ground_truth_label") is { Length: > 0 } label ? label : null),
            Missing = missing,
        };
    }

    private static RecordTexts ReadTexts(string kind, JsonElement root)
    {
        var coarse = root.Get("coarse_descriptions_at_peak") ?? default;
        var audio = root.Get("audio_analysis") is { ValueKind: JsonValueKind.String } ? root.Text("audio_analysis") : coarse.Text("audio_analysis");
        return new RecordTexts
        {
            FinalSummary = root.Text("final_summary"),
            VisualDescription = kind == "image" ? root.Clue("image_visual_description") : coarse.Clue("visual_objective"),
            FacialDescription = root.Clue("llm_au_description"),
            AudioAnalysis = audio,
            VideoDescription = kind == "video" ? root.Text("llm_video_summary") : coarse.Clue("video_content"),
        };
    }

    private static OpenFaceTable? ReadAuTable(string path, string id, Dictionary<string, string> missing)
    {
        if (!File.Exists(path))
        {
            missing["au_table"] = $"no AU table ({id}.csv)";
            return null;
        }
        try
        {
            return OpenFaceCsv.Read(path);
        }
        catch (Exception e) when (e is OpenFaceCsvException or IOException or FormatException)
        {
            missing["au_table"] = $"AU table {id}.csv unreadable: {e.Message}";
            return null;
        }
    }

    /// <summary>MER-Factory's overall peak: the row with the largest sum of AU intensities (first on ties).</summary>
    internal static double OverallPeakSeconds(OpenFaceTable table)
    {
        var overall = FacialAnalysis.OverallIntensity(table);
        var best = 0;
        for (var i = 1; i < overall.Length; i++) if (overall[i] > overall[best]) best = i;
        return table.Frames[best].Timestamp;
    }

    private sealed record MediaFacts(double? Duration, bool HasAudio);

    private static IReadOnlyList<StepEvidence> ReadSteps(JsonElement root) =>
        root.Get("Steps") is { ValueKind: JsonValueKind.Array } steps
            ? [.. steps.EnumerateArray().Select(s => new StepEvidence(s.Text("Step"), s.Text("Status"), s.Text("Degradation") is { Length: > 0 } d ? d : null))]
            : [];

    /// <summary>A sidecar read with <paramref name="map"/>; null when absent or malformed (a damaged sidecar is no evidence).</summary>
    private static T? ReadJson<T>(string path, Func<JsonElement, T> map)
    {
        if (!File.Exists(path)) return default;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path), Options);
            return map(document.RootElement);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return default;
        }
    }
}
