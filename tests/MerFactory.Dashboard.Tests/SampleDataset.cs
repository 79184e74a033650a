using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace MerFactory.Dashboard.Testing;

/// <summary>What one generated record is: its type, emotions, label, model and evaluation.</summary>
public sealed record SampleSpec(string Id, string Type, string Emotion, string? Label, string Model, double PeakSeconds, double? CompositeScore, string[] Flags);

/// <summary>
/// Writes record folders in MerFactory's output layout (schemas/*.schema.json; <c>{id}.csv</c> AU table,
/// <c>{id}_transcript.json</c> with segments, <c>{id}_steps.json</c>, optional <c>{id}_eval.json</c>), for tests and the benchmark.
/// </summary>
public static class SampleDataset
{
    public static readonly string[] Emotions = ["happiness", "sadness", "anger", "surprise", "fear", "disgust"];
    public static readonly string[] Models = ["gpt-4o", "llama3.2", "gemini-2.5-flash"];
    private static readonly string[] Aus = ["AU01", "AU02", "AU04", "AU05", "AU06", "AU07", "AU09", "AU10", "AU12", "AU14", "AU15", "AU17", "AU20", "AU23", "AU25", "AU26", "AU45"];

    /// <summary>Varied specs: mostly mer, some audio and image; labels on two thirds; evaluation on half.</summary>
    public static IReadOnlyList<SampleSpec> Specs(int count, int seed = 7)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i => new SampleSpec(
            $"clip_{i:D5}",
            (i % 10) switch { 8 => "audio", 9 => "image", _ => "mer" },
            Emotions[random.Next(Emotions.Length)],
            i % 3 == 2 ? null : Emotions[random.Next(Emotions.Length)],
            Models[random.Next(Models.Length)],
            Math.Round(0.3 + random.NextDouble() * 1.8, 2),
            i % 2 == 0 ? Math.Round(random.NextDouble(), 3) : null,
            i % 2 == 0 && random.Next(4) == 0 ? ["unsupported_au"] : [])).ToList();
    }

    public static void Write(string outputDir, SampleSpec spec, string? videoPath, string? wavPath, int frames = 72, double fps = 30, string? promptsVersion = null)
    {
        var folder = Directory.CreateDirectory(Path.Combine(outputDir, spec.Id)).FullName;
        var id = spec.Id;
        var peakFrame = (int)Math.Round(spec.PeakSeconds * fps) + 1;
        var peakText = $"Peak at {spec.PeakSeconds.ToString("0.00", CultureInfo.InvariantCulture)}s: {spec.Emotion} (moderate)";
        JsonObject analysis = spec.Type switch
        {
            "audio" => new JsonObject
            {
                ["source_path"] = wavPath ?? Path.Combine(folder, id + ".wav"),
                ["audio_analysis"] = $"The speaker of {id} talks in a {spec.Emotion} tone.",
            },
            "image" => new JsonObject
            {
                ["source_path"] = Path.Combine(folder, id + ".jpg"),
                ["au_text_description"] = "Cheek raiser (AU06), intensity: 1.20",
                ["llm_au_description"] = $"The raised cheeks of {id} suggest {spec.Emotion}.",
                ["image_visual_description"] = $"A person in {id} sits in a plain room.",
                ["final_summary"] = $"In conclusion, the most likely emotional state is {spec.Emotion}, based on the face of {id}.",
            },
            _ => new JsonObject
            {
                ["source_path"] = videoPath ?? Path.Combine(folder, id + ".mp4"),
                ["audio_path"] = Path.Combine(folder, id + ".wav"),
                ["chronological_emotion_peaks"] = new JsonArray(peakText),
                ["overall_peak_frame_info"] = new JsonObject
                {
                    ["frame_number"] = peakFrame, ["timestamp"] = spec.PeakSeconds,
                    ["top_aus_intensities"] = new JsonObject { ["AU06_r"] = 1.9, ["AU12_r"] = 1.4 },
                },
                ["coarse_descriptions_at_peak"] = new JsonObject
                {
                    ["visual_expression"] = $"Cheek raiser (AU06) and lip corner puller (AU12) at the peak of {id}.",
                    ["visual_objective"] = $"A person in {id} looks at the camera.",
                    ["audio_analysis"] = $"The voice in {id} sounds {spec.Emotion}.",
                    ["video_content"] = $"In {id} a person talks to the camera.",
                },
                ["final_summary"] = $"The evidence of {id} points one way. In conclusion, the core emotional state is {spec.Emotion}, and the most likely cause is the conversation.",
            },
        };
        if (spec.Label is { } label) analysis["ground_truth_label"] = label;
        var suffix = spec.Type switch { "audio" => "_audio_analysis.json", "image" => "_image_analysis.json", _ => "_merr_data.json" };
        File.WriteAllText(Path.Combine(folder, id + suffix), analysis.ToJsonString());

        File.WriteAllText(Path.Combine(folder, id + "_steps.json"), new JsonObject
        {
            ["Id"] = id, ["Type"] = spec.Type, ["PromptsVersion"] = promptsVersion ?? (spec.Model == "llama3.2" ? "p2" : "p1"),
            ["Steps"] = new JsonArray(new JsonObject { ["Step"] = "llm-synthesis", ["Status"] = "completed", ["Model"] = spec.Model, ["Seconds"] = 1.0 }),
        }.ToJsonString());
        if (spec.CompositeScore is { } score)
        {
            // The evaluation sidecar as the evaluator writes it (schemas/eval.schema.json): metrics by name (null when
            // not computable) and flags as {code, message}.
            File.WriteAllText(Path.Combine(folder, id + "_eval.json"), new JsonObject
            {
                ["schema_version"] = 1, ["id"] = id, ["kind"] = spec.Type,
                ["metrics"] = new JsonObject { ["composite_score"] = score, ["transcript_wer"] = null, ["word_count"] = 24 },
                ["flags"] = new JsonArray(spec.Flags.Select(f => (JsonNode)new JsonObject { ["code"] = f, ["message"] = $"{f} in {id}" }).ToArray()),
                ["reasons"] = new JsonObject { ["transcript_wer"] = "no reference transcript" },
                ["cues"] = new JsonArray(),
            }.ToJsonString());
        }
        if (spec.Type != "mer") return;
        File.WriteAllText(Path.Combine(folder, id + ".csv"), AuCsv(frames, fps, spec.PeakSeconds));
        File.WriteAllText(Path.Combine(folder, id + "_transcript.json"), new JsonObject
        {
            ["text"] = "And so my fellow Americans, ask not what your country can do for you.",
            ["segments"] = new JsonArray(
                new JsonObject { ["start"] = 0.32, ["end"] = 3.9, ["text"] = " And so my fellow Americans," },
                new JsonObject { ["start"] = 4.1, ["end"] = 7.6, ["text"] = " ask not what your country can do for you." }),
        }.ToJsonString());
        if (wavPath is not null) File.Copy(wavPath, Path.Combine(folder, id + ".wav"), overwrite: true);
    }

    /// <summary>An OpenFace-style AU table whose AU06/AU12 rise to a peak at <paramref name="peakSeconds"/>.</summary>
    private static string AuCsv(int frames, double fps, double peakSeconds)
    {
        var text = new StringBuilder("frame, face_id, timestamp, confidence, success, " + string.Join(", ", Aus.Select(a => a + "_r")) + "\n");
        for (var f = 0; f < frames; f++)
        {
            var t = f / fps;
            var bump = Math.Exp(-Math.Pow((t - peakSeconds) / 0.25, 2));
            text.Append(CultureInfo.InvariantCulture, $"{f + 1}, 0, {t:0.000}, 0.98, 1");
            foreach (var au in Aus)
                text.Append(CultureInfo.InvariantCulture, $", {(au is "AU06" ? 2.0 * bump : au is "AU12" ? 1.5 * bump : 0.1):0.00}");
            text.Append('\n');
        }
        return text.ToString();
    }
}
