using System.Text.Json.Nodes;
using MerFactory.Export.Training;
using static MerFactory.Export.Tests.ExportTestHelpers;

namespace MerFactory.Export.Tests;

/// <summary>
/// What the consumers require, checked on exports of varied data. Rules read from LLaMA-Factory
/// (<c>data/parser.py</c> DatasetAttr, <c>data/converter.py</c> SharegptDatasetConverter,
/// <c>data/mm_plugin.py</c> _validate_messages, <c>data/loader.py</c> file types) and Emotion-LLaMA
/// (<c>minigpt4/datasets/datasets/first_face.py</c> FeatureFaceDataset).
/// </summary>
public sealed class ConsumerContractTests : IDisposable
{
    private static readonly string[] EmotionLlamaLabels = ["neutral", "angry", "happy", "sad", "worried", "surprise", "fear", "contempt", "doubt"];

    private readonly TempDirectory _temp = new();
    private readonly string _root;

    public ConsumerContractTests()
    {
        _root = _temp.Combine("OUT");
        MerOutputFixture.WriteAll(_root);
        WriteVariedMer(_root);
    }

    public void Dispose() => _temp.Dispose();

    /// <summary>MER records that stress the consumers: tags inside text, no audio, labels outside the set, spaces in names.</summary>
    private static void WriteVariedMer(string root)
    {
        void Mer(string id, string source, string? audio, string peaks, string summary, string label = "")
        {
            var folder = MerOutputFixture.Folder(root, id);
            var audioLine = audio is null ? "" : $"\"audio_path\": \"{audio}\",";
            var labelLine = label.Length == 0 ? "" : $",\"ground_truth_label\": \"{label}\"";
            File.WriteAllText(Path.Combine(folder, $"{id}_merr_data.json"), $$"""
                { "source_path": "{{source}}", {{audioLine}}
                  "chronological_emotion_peaks": [{{peaks}}],
                  "overall_peak_frame_info": {"frame_number": 5, "timestamp": 0.2, "top_aus_intensities": {"AU04_r": 1.1} },
                  "coarse_descriptions_at_peak": {"visual_expression": "Brow lowerer (intensity: 1.10)", "visual_objective": "A face.", "audio_analysis": "Speaker's tone: flat.", "video_content": "A room."},
                  "final_summary": "{{summary}}"{{labelLine}} }
                """);
        }
        Mer("tagged", "/v/tagged.mp4", "/a/tagged.wav", "\"Peak at 0.20s: happy (slight)\"", "The clip shows <video> and <audio> and <image> markers.");
        Mer("silent", "/v/silent.mp4", null, "\"Peak at 0.20s: sad (moderate)\"", "A silent clip, sadness.");
        Mer("disgusted", "/v/disgusted.mp4", "/a/d.wav", "\"Peak at 0.20s: disgust (strong)\"", "Disgust is shown.");
        Mer("with space", "/v/with space.mp4", "/a/ws.wav", "\"Peak at 0.20s: fear (slight)\"", "Fear.");
        Mer("labelled", "/v/labelled.mp4", "/a/l.wav", "\"Peak at 0.20s: happy (slight)\"", "Worry despite a smile.", "Worry");
    }

    [Theory]
    [InlineData(ExportFileType.Mer, JsonFormat.Json)]
    [InlineData(ExportFileType.Mer, JsonFormat.Jsonl)]
    [InlineData(ExportFileType.Video, JsonFormat.Json)]
    [InlineData(ExportFileType.Audio, JsonFormat.Json)]
    [InlineData(ExportFileType.Image, JsonFormat.Json)]
    [InlineData(ExportFileType.Au, JsonFormat.Json)]
    public async Task Sharegpt_export_and_its_registration_satisfy_llama_factory(ExportFileType type, JsonFormat json)
    {
        var export = _temp.Combine("export");
        var checkout = FakeLlamaFactoryCheckout();
        var result = await ExportFolder(_root, type, export, json: json, seed: 3);
        var file = result.Files.Single().Path;
        var registration = LlamaFactoryRegistration.Register(checkout, "merr_" + type.Name(), file, type);

        var entry = ParseFile(registration.DatasetInfoPath)["merr_" + type.Name()]!;
        Assert.Equal("sharegpt", entry["formatting"]!.GetValue<string>());
        // loader.py: the extension must be one of its file types; json and jsonl both load as "json".
        Assert.Contains(Path.GetExtension(file), new[] { ".json", ".jsonl" });
        var columns = entry["columns"]!.AsObject();
        var tags = entry["tags"]!;
        var roleTag = tags["role_tag"]!.GetValue<string>();
        var contentTag = tags["content_tag"]!.GetValue<string>();
        var userTag = tags["user_tag"]!.GetValue<string>();
        var assistantTag = tags["assistant_tag"]!.GetValue<string>();
        // DatasetAttr.join only reads these column names; any other is ignored (export.py registered "files").
        string[] known = ["prompt", "query", "response", "history", "messages", "system", "tools", "images", "videos", "audios", "chosen", "rejected", "kto_tag"];
        Assert.All(columns, c => Assert.Contains(c.Key, known));

        var examples = json == JsonFormat.Jsonl ? ParseJsonl(file) : ParseFile(file).AsArray().Select(n => n!).ToList();
        Assert.Equal(result.RecordsExported, examples.Count);
        Assert.NotEmpty(examples);
        foreach (var example in examples)
        {
            var messages = example[columns["messages"]!.GetValue<string>()]!.AsArray();
            // SharegptDatasetConverter: odd turns user (or observation), even turns assistant (or function), even count.
            Assert.True(messages.Count % 2 == 0, "odd message count");
            for (var turn = 0; turn < messages.Count; turn++)
            {
                var role = messages[turn]![roleTag]!.GetValue<string>();
                Assert.Equal(turn % 2 == 0 ? userTag : assistantTag, role);
                Assert.False(string.IsNullOrWhiteSpace(messages[turn]![contentTag]!.GetValue<string>()));
            }
            var text = string.Concat(messages.Select(m => m![contentTag]!.GetValue<string>()));
            // mm_plugin._validate_messages: placeholders across all messages == media entries, per kind.
            foreach (var (column, placeholder) in new[] { ("images", "<image>"), ("videos", "<video>"), ("audios", "<audio>") })
            {
                var media = columns.ContainsKey(column) ? example[columns[column]!.GetValue<string>()] : null;
                // Every declared column must exist in every example (the converter indexes example[column]).
                if (columns.ContainsKey(column)) Assert.True(example.AsObject().ContainsKey(column), $"example lacks '{column}'");
                var count = media is JsonArray list ? list.Count : 0;
                Assert.Equal(count, CountOf(text, placeholder));
                if (media is JsonArray paths) Assert.All(paths, p => Assert.False(string.IsNullOrEmpty(p!.GetValue<string>())));
            }
            // A media key that is not registered would be ignored by LLaMA-Factory while its tag still counts.
            foreach (var property in example.AsObject().Where(p => p.Key != "messages"))
                Assert.True(columns.ContainsKey(property.Key), $"unregistered key '{property.Key}'");
        }
    }

    [Fact]
    public async Task Mer_examples_carry_their_audio_and_text_tags_are_neutralised()
    {
        var export = _temp.Combine("export");
        var result = await ExportFolder(_root, ExportFileType.Mer, export);
        var examples = ParseFile(result.Files.Single().Path).AsArray();

        var tagged = examples.Single(e => e!["videos"]![0]!.GetValue<string>() == "/v/tagged.mp4")!;
        Assert.Equal("/a/tagged.wav", tagged["audios"]![0]!.GetValue<string>());
        Assert.Equal("The clip shows [video] and [audio] and [image] markers.", tagged["messages"]![1]!["content"]!.GetValue<string>());
        var silent = examples.Single(e => e!["videos"]![0]!.GetValue<string>() == "/v/silent.mp4")!;
        Assert.Empty(silent["audios"]!.AsArray());
        Assert.StartsWith("<video>\n", silent["messages"]![0]!["content"]!.GetValue<string>());
        Assert.Contains(result.Issues, i => i.RecordId == "silent" && i.Severity == IssueSeverity.Warning && i.Message.Contains("no audio_path"));
        Assert.Contains(result.Issues, i => i.RecordId == "tagged" && i.Message.Contains("[image]/[video]/[audio]"));
    }

    [Theory]
    [InlineData(ExportFormat.EmotionLlama, "caption")]
    [InlineData(ExportFormat.EmotionLlamaFine, "smp_reason_caption")]
    public async Task Merr_export_satisfies_emotion_llama_loader(ExportFormat format, string captionKey)
    {
        var export = _temp.Combine("export");
        var result = await ExportFolder(_root, ExportFileType.Mer, export, format);
        var stem = format == ExportFormat.EmotionLlama ? "MERR_coarse_grained" : "MERR_fine_grained";
        var lines = File.ReadAllText(Path.Combine(export, stem + ".txt")).Split('\n');
        var json = ParseFile(Path.Combine(export, stem + ".json")).AsObject();
        var transcriptNames = File.ReadAllLines(Path.Combine(export, "transcription_en_all.csv")).Skip(1)
            .Select(l => l.Split(',')[0]).ToHashSet();

        foreach (var line in lines)
        {
            // FeatureFaceDataset: t = line.strip().split(' '); name t[0], label t[2] through emo2idx.
            var t = line.Trim().Split(' ');
            Assert.True(t.Length >= 3, $"TXT line '{line}' has fewer than 3 columns");
            Assert.Equal(3, t.Length);
            Assert.Contains(t[2], EmotionLlamaLabels);
            Assert.True(int.TryParse(t[1], out var frames) && frames >= 0, $"frame count '{t[1]}'");
            var entry = json[t[0]]!.AsObject();
            Assert.Equal(System.Text.Json.JsonValueKind.String, entry[captionKey]!.GetValueKind());
            foreach (var list in new[] { "AU_list", "visual_prior_list", "audio_prior_list", "peak_AU_list" })
                Assert.All(entry[list]!.AsArray(), item => Assert.Equal(System.Text.Json.JsonValueKind.String, item!.GetValueKind()));
            Assert.Equal(System.Text.Json.JsonValueKind.String, entry["peak_index"]!.GetValueKind());
            if (format == ExportFormat.EmotionLlamaFine) Assert.Equal(System.Text.Json.JsonValueKind.String, entry["text"]!.GetValueKind());
            // The loader looks every TXT name up in transcription_en_all.csv (name column).
            Assert.Contains(t[0], transcriptNames);
        }

        // Label outside the set and the name with a space are reported, not written where they would break the loader.
        Assert.DoesNotContain(lines, l => l.StartsWith("disgusted ") || l.StartsWith("with "));
        Assert.Contains(result.Issues, i => i.RecordId == "disgusted" && i.Severity == IssueSeverity.LeftOut && i.Message.Contains("'disgust'"));
        Assert.Contains(result.Issues, i => i.RecordId == "with space" && i.Severity == IssueSeverity.LeftOut && i.Message.Contains("whitespace"));
        Assert.True(json.ContainsKey("with space") && json.ContainsKey("disgusted"), "the JSON keeps every record");
        // A ground-truth label (mapped to the set) wins over the pseudo emotion in the TXT.
        Assert.Contains("labelled 0 worried", lines);
        Assert.Equal(2, result.Files.First(f => f.Format.EndsWith("-txt")).RecordsSkipped);
    }

    private static int CountOf(string text, string placeholder)
    {
        var count = 0;
        for (var i = text.IndexOf(placeholder, StringComparison.Ordinal); i >= 0; i = text.IndexOf(placeholder, i + placeholder.Length, StringComparison.Ordinal)) count++;
        return count;
    }

    private string FakeLlamaFactoryCheckout()
    {
        var checkout = _temp.Combine("LLaMA-Factory");
        Directory.CreateDirectory(Path.Combine(checkout, "data"));
        File.WriteAllText(Path.Combine(checkout, "data", "dataset_info.json"), """{"alpaca_en_demo": {"file_name": "alpaca_en_demo.json"}}""");
        return checkout;
    }
}
