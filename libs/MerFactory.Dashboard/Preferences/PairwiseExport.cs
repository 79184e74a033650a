using System.Text.Json.Nodes;
using MerFactory.Dashboard.Data;

namespace MerFactory.Dashboard.Preferences;

/// <summary>
/// Preference pairs in LLaMA-Factory's pairwise ShareGPT format (<c>"ranking": true</c> in dataset_info.json):
/// <c>{"conversations":[{"from":"human","value":…}],"chosen":{"from":"gpt","value":…},"rejected":{"from":"gpt","value":…}}</c>.
/// </summary>
public static class PairwiseExport
{
    public const string DatasetName = "merfactory_preferences";

    private static readonly IReadOnlyDictionary<string, string> Questions = new Dictionary<string, string>
    {
        ["final_summary"] = "Which emotion does the person show in this clip, and what evidence supports it? Reason step by step.",
        ["coarse_descriptions_at_peak.visual_expression"] = "Describe the person's facial expression at the emotional peak.",
        ["coarse_descriptions_at_peak.visual_objective"] = "Describe what is visible in the peak frame.",
        ["coarse_descriptions_at_peak.audio_analysis"] = "Describe what is said and how it sounds.",
        ["coarse_descriptions_at_peak.video_content"] = "Describe what happens in the video.",
        ["audio_analysis"] = "Describe what is said and how it sounds.",
        ["llm_video_summary"] = "Describe what happens in the video.",
        ["overall_peak_au_description"] = "Explain the facial Action Units at the peak.",
        ["llm_au_description"] = "Explain the facial Action Units in this image.",
        ["image_visual_description"] = "Describe what is visible in this image.",
        ["au_text_description"] = "List the facial Action Units in this image.",
    };

    public static JsonArray Build(IEnumerable<Preference> preferences) =>
        new(preferences.Select(p => (JsonNode)new JsonObject
        {
            ["conversations"] = new JsonArray(new JsonObject { ["from"] = "human", ["value"] = Questions.GetValueOrDefault(p.Field, "Describe the emotion in this sample.") }),
            ["chosen"] = new JsonObject { ["from"] = "gpt", ["value"] = p.ChosenText },
            ["rejected"] = new JsonObject { ["from"] = "gpt", ["value"] = p.RejectedText },
            ["id"] = p.RecordId,
            ["field"] = p.Field,
        }).ToArray());

    /// <summary>The dataset_info.json entry that registers the file with LLaMA-Factory.</summary>
    public static JsonObject DatasetInfo(string fileName) => new()
    {
        [DatasetName] = new JsonObject
        {
            ["file_name"] = fileName,
            ["formatting"] = "sharegpt",
            ["ranking"] = true,
            ["columns"] = new JsonObject { ["messages"] = "conversations", ["chosen"] = "chosen", ["rejected"] = "rejected" },
        },
    };
}
