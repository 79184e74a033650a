using System.Text.Json;
using System.Text.Json.Nodes;
using MerFactory.Evaluation.Evidence;

namespace MerFactory.Evaluation.Synthetic;

/// <summary>The JSON files of a synthetic record, in the shapes MerFactory writes them.</summary>
internal static class SyntheticSidecars
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static string Transcript(string id, string sentence, double duration, Prosody voice, Random random)
    {
        var words = sentence.Split(' ');
        var speechStart = 0.3;
        var speechSeconds = Math.Min(duration - 0.4, words.Length / voice.WordsPerSecond);
        var step = speechSeconds / words.Length;
        var timed = new JsonArray();
        for (var i = 0; i < words.Length; i++)
            timed.Add(new JsonObject { ["word"] = words[i], ["start"] = Math.Round(speechStart + i * step, 2), ["end"] = Math.Round(speechStart + (i + 0.9) * step, 2), ["confidence"] = 0.9 });
        var json = new JsonObject
        {
            ["schemaVersion"] = 1,
            ["sourceFile"] = id + ".wav",
            ["status"] = "Transcribed",
            ["text"] = sentence,
            ["language"] = "en",
            ["engine"] = "synthetic",
            ["modelId"] = "synthetic",
            ["durationSeconds"] = duration,
            ["segments"] = new JsonArray(new JsonObject { ["start"] = speechStart, ["end"] = Math.Round(speechStart + speechSeconds, 2), ["text"] = sentence, ["words"] = timed }),
            ["voiceActivity"] = new JsonArray(),
            ["prosody"] = new JsonObject
            {
                ["pitch"] = new JsonObject
                {
                    ["meanHz"] = Math.Round(140 + random.NextDouble() * 60, 1), ["slopeSemitonesPerSecond"] = voice.Slope,
                    ["rangeSemitones"] = voice.Range, ["stdDevSemitones"] = voice.StdDev, ["voicedFraction"] = 0.8,
                },
                ["loudness"] = new JsonObject { ["rmsDbfs"] = voice.LevelDb - 3, ["peakDbfs"] = voice.LevelDb + 12, ["integratedLufs"] = voice.LevelDb, ["dynamicRangeDb"] = 12 },
                ["speechSeconds"] = Math.Round(speechSeconds, 3),
                ["wordsPerSecond"] = Math.Round(words.Length / speechSeconds, 2),
                ["pauses"] = new JsonObject { ["count"] = voice.Pauses, ["totalSeconds"] = 0.3 * voice.Pauses, ["longestSeconds"] = voice.Pauses > 0 ? 0.4 : 0 },
                ["summary"] = "synthetic prosody",
            },
        };
        return json.ToJsonString(Indented);
    }

    public static string Media(string id, double duration) => new JsonObject
    {
        ["SourcePath"] = $"/data/{id}.mp4",
        ["Kind"] = "video",
        ["Probe"] = new JsonObject { ["DurationSeconds"] = duration, ["FrameRate"] = 25, ["HasVideo"] = true, ["HasAudio"] = true },
        ["HasAudio"] = true,
    }.ToJsonString(Indented);

    public static string Steps(string id, bool degraded)
    {
        var steps = new JsonArray(
            Step("au-extract", "completed", null), Step("transcribe", "completed", null), Step("llm-audio", "completed", null),
            Step("llm-video", "completed", degraded ? "the model takes no video: 8 sampled frames were sent instead" : null),
            Step("llm-synthesis", "completed", null));
        return new JsonObject { ["Id"] = id, ["Type"] = "MER", ["Steps"] = steps, ["Notes"] = new JsonArray() }.ToJsonString(Indented);

        static JsonObject Step(string name, string status, string? degradation) =>
            new() { ["Step"] = name, ["Status"] = status, ["Seconds"] = 0.5, ["Degradation"] = degradation };
    }

    public static string Merr(string id, string folder, IReadOnlyList<string> peaks, int frame, double timestamp,
        IReadOnlyList<KeyValuePair<string, double>> topAus, RecordTexts texts)
    {
        var top = new JsonObject();
        foreach (var (au, value) in topAus) top[au] = value;
        return new JsonObject
        {
            ["source_path"] = $"/data/{id}.mp4",
            ["audio_path"] = Path.Combine(folder, id + ".wav"),
            ["chronological_emotion_peaks"] = new JsonArray([.. peaks.Select(p => (JsonNode)p)]),
            ["overall_peak_frame_info"] = new JsonObject { ["frame_number"] = frame, ["timestamp"] = timestamp, ["top_aus_intensities"] = top },
            ["coarse_descriptions_at_peak"] = new JsonObject
            {
                ["visual_expression"] = "(AU template text)",
                ["visual_objective"] = texts.VisualDescription,
                ["audio_analysis"] = texts.AudioAnalysis,
                ["video_content"] = texts.VideoDescription,
            },
            ["final_summary"] = texts.FinalSummary,
        }.ToJsonString(Indented);
    }
}
