using System.Text.Json.Nodes;
using static MerFactory.Export.Tests.ExportTestHelpers;

namespace MerFactory.Export.Tests;

/// <summary>
/// Every format for every type, from a folder shaped like Python MER-Factory output (one record of each type,
/// error_logs/ and .llm_cache/ beside them). Expected outputs are written out by hand from spec §7.2/§8.
/// </summary>
public sealed class GoldenExportTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly string _root;
    private readonly string _out;
    private readonly string _prompts;

    public GoldenExportTests()
    {
        _root = _temp.Combine("OUT");
        _out = _temp.Combine("export");
        _prompts = _temp.Combine("prompts.json");
        MerOutputFixture.WriteAll(_root);
        MerOutputFixture.WritePromptFile(_prompts);
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Mer_sharegpt_json_is_byte_exact_with_video_and_audio_per_record()
    {
        var result = await ExportFolder(_root, ExportFileType.Mer, _out, promptFile: _prompts);

        var wav = J(Path.Combine(_root, "clip02", "clip02.wav"));
        var expected = $$"""
            [
                {
                    "messages": [
                        {
                            "role": "user",
                            "content": "<video><audio>\nQ-mer"
                        },
                        {
                            "role": "gpt",
                            "content": "The widened eyes and dropped jaw show surprise."
                        }
                    ],
                    "videos": [
                        "/data/video/clip02.avi"
                    ],
                    "audios": [
                        "{{wav}}"
                    ]
                },
                {
                    "messages": [
                        {
                            "role": "user",
                            "content": "<video><audio>\nQ-mer"
                        },
                        {
                            "role": "gpt",
                            "content": "Let's begin by dissecting the facial expressions. The lid tightener and upper lip raiser point to irritation.\nIn conclusion, the core emotional state is frustration, and the most likely cause is being asked a question he cannot answer."
                        }
                    ],
                    "videos": [
                        "/data/video/sample_00000023.mp4"
                    ],
                    "audios": [
                        "/out/sample_00000023/sample_00000023.wav"
                    ]
                }
            ]
            """;
        Assert.Equal(expected, File.ReadAllText(Path.Combine(_out, "mer_sharegpt_export.json")));
        Assert.Equal(2, result.RecordsExported);
        // The four folders of other types are reported (not silently passed over), and are not failures.
        Assert.Equal(0, result.RecordsSkipped);
        Assert.Equal(4, result.RecordsExcluded);
        Assert.All(result.Issues.Where(i => i.Severity == IssueSeverity.Excluded), i => Assert.Contains("no ", i.Message));
    }

    [Fact]
    public async Task Mer_sharegpt_jsonl_has_one_compact_object_per_line_with_real_newlines_in_text()
    {
        await ExportFolder(_root, ExportFileType.Mer, _out, json: JsonFormat.Jsonl, promptFile: _prompts);

        var lines = File.ReadAllText(Path.Combine(_out, "mer_sharegpt_export.jsonl")).Split('\n');
        Assert.Equal(3, lines.Length); // two objects, each ended by a newline
        Assert.Equal("", lines[2]);
        Assert.Equal(
            """{"messages":[{"role":"user","content":"<video><audio>\nQ-mer"},{"role":"gpt","content":"Let's begin by dissecting the facial expressions. The lid tightener and upper lip raiser point to irritation.\nIn conclusion, the core emotional state is frustration, and the most likely cause is being asked a question he cannot answer."}],"videos":["/data/video/sample_00000023.mp4"],"audios":["/out/sample_00000023/sample_00000023.wav"]}""",
            lines[1]);
        var summary = JsonNode.Parse(lines[1])!["messages"]![1]!["content"]!.GetValue<string>();
        Assert.Contains("irritation.\nIn conclusion", summary);
        Assert.DoesNotContain("\\n", summary);
    }

    [Theory]
    [InlineData(ExportFileType.Video, """
        [{"messages":[{"role":"user","content":"<video>\nQ-video"},{"role":"gpt","content":"Two men are in a room. \"Why?\" one asks, pointing at the screen."}],
          "videos":["/data/video/clip03.mp4"]}]
        """)]
    [InlineData(ExportFileType.Audio, """
        [{"messages":[{"role":"user","content":"<audio>\nQ-audio"},{"role":"gpt","content":"And so my fellow Americans.\nSpeaker's tone: solemn, firm."}],
          "audios":["/data/audio/speech01.wav"]}]
        """)]
    [InlineData(ExportFileType.Image, """
        [{"messages":[{"role":"user","content":"<image>\nQ-image"},{"role":"gpt","content":"In conclusion, the most likely emotional state is happiness, based on the smile."}],
          "images":["/data/images/face01.jpg"]}]
        """)]
    [InlineData(ExportFileType.Au, """
        [{"messages":[{"role":"user","content":"<video>\nQ-au"},{"role":"gpt","content":"Peak at 10.20s: disgust (slight); Peak at 11.73s: surprise (slight)"}],
          "images":[], "videos":["/data/video/default.wmv"]}]
        """)]
    public async Task Sharegpt_for_other_types_has_the_tag_and_media_key_of_the_type(ExportFileType type, string expected)
    {
        var result = await ExportFolder(_root, type, _out, promptFile: _prompts);

        AssertJsonEqual(expected, ParseFile(Path.Combine(_out, $"{type.Name()}_sharegpt_export.json")));
        Assert.Equal(1, result.RecordsExported);
        Assert.Equal(5, result.RecordsExcluded);
    }

    [Fact]
    public async Task Au_of_an_image_is_an_image_example()
    {
        var root = _temp.Combine("au-image");
        MerOutputFixture.WriteAu(root, "still", "/data/images/still.png");

        await ExportFolder(root, ExportFileType.Au, _out, promptFile: _prompts);

        AssertJsonEqual("""
            [{"messages":[{"role":"user","content":"<image>\nQ-au"},{"role":"gpt","content":"Peak at 10.20s: disgust (slight); Peak at 11.73s: surprise (slight)"}],
              "images":["/data/images/still.png"], "videos":[]}]
            """, ParseFile(Path.Combine(_out, "au_sharegpt_export.json")));
    }

    [Fact]
    public async Task Audio_analysed_from_a_video_points_at_the_extracted_wav()
    {
        var root = _temp.Combine("audio-of-video");
        MerOutputFixture.WriteAudio(root, "talk", "/data/video/talk.mp4");
        File.WriteAllBytes(Path.Combine(root, "talk", "talk.wav"), [1]);
        MerOutputFixture.WriteAudio(root, "novoice", "/data/video/novoice.mp4");

        await ExportFolder(root, ExportFileType.Audio, _out, promptFile: _prompts);

        var examples = ParseFile(Path.Combine(_out, "audio_sharegpt_export.json")).AsArray();
        Assert.Equal(J(Path.Combine(root, "talk", "talk.wav")), J(examples[1]!["audios"]![0]!.GetValue<string>()));
        // Without an extracted wav the video itself is the audio source (LLaMA-Factory decodes its audio track).
        Assert.Equal("/data/video/novoice.mp4", examples[0]!["audios"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task Mer_csv_quotes_every_field_keeps_newlines_and_writes_lists_as_json()
    {
        await ExportFolder(_root, ExportFileType.Mer, _out, format: null, csv: true);

        var text = File.ReadAllText(Path.Combine(_out, "mer_export_data.csv"));
        var header = text[..text.IndexOf("\r\n", StringComparison.Ordinal)];
        Assert.Equal(
            "\"source_path\",\"chronological_emotion_peaks_list\",\"chronological_emotion_peaks\",\"visual_expression\",\"visual_objective\","
            + "\"audio_analysis\",\"video_content\",\"final_summary\",\"overall_peak_frame_info\",\"file_type\","
            + "\"id\",\"audio_path\",\"ground_truth_label\",\"frame_count\",\"clip_au_codes\",\"transcript\"",
            header);
        // Lists and objects are JSON (export.py wrote Python reprs such as ['a'] and {'frame_number': 88}).
        Assert.Contains("\"[\"\"Peak at 1.20s: happy (slight)\"\",\"\"Peak at 3.48s: angry (slight), contempt (slight)\"\"]\"", text);
        Assert.Contains("\"{\"\"frame_number\"\":88,\"\"timestamp\"\":3.48,\"\"top_aus_intensities\"\":{\"\"AU06_r\"\":1.45,\"\"AU07_r\"\":2.78,\"\"AU10_r\"\":2.62,\"\"AU12_r\"\":1.74,\"\"AU14_r\"\":1.54,\"\"AU25_r\"\":2.69}}\"", text);
        Assert.Contains("\"Peak at 1.20s: happy (slight); Peak at 3.48s: angry (slight), contempt (slight)\"", text);
        // A real newline inside a quoted field, not the two characters \n.
        Assert.Contains("\"我哪知道啊？ 我也没有这方面的经验。\nSpeaker's tone: exasperated, slightly annoyed. Pitch: medium. Background noise: slight room ambience.\"", text);
        Assert.DoesNotContain("\\n", text);
        // Side-file columns: id, audio path, label, 10 AU-CSV frames, clip AUs, transcript.
        Assert.Contains("\"mer\",\"sample_00000023\",\"/out/sample_00000023/sample_00000023.wav\",\"angry\",\"10\",\"[\"\"AU06\"\",\"\"AU12\"\"]\",\"我哪知道啊？ 我也没有这方面的经验。\"", text);
        Assert.Contains($"\"mer\",\"clip02\",\"{Path.Combine(_root, "clip02", "clip02.wav")}\",\"\",\"\",\"[]\",\"\"", text);
    }

    [Theory]
    [InlineData(ExportFileType.Video, "\"source_path\",\"llm_video_summary\",\"file_type\",\"id\"\r\n\"/data/video/clip03.mp4\",\"Two men are in a room. \"\"Why?\"\" one asks, pointing at the screen.\",\"video\",\"clip03\"\r\n")]
    [InlineData(ExportFileType.Audio, "\"source_path\",\"audio_analysis\",\"file_type\",\"id\",\"audio_path\"\r\n\"/data/audio/speech01.wav\",\"And so my fellow Americans.\nSpeaker's tone: solemn, firm.\",\"audio\",\"speech01\",\"\"\r\n")]
    [InlineData(ExportFileType.Image, "\"source_path\",\"source_image\",\"au_text_description\",\"llm_au_description\",\"image_visual_description\",\"final_summary\",\"file_type\",\"id\",\"ground_truth_label\"\r\n\"/data/images/face01.jpg\",\"/data/images/face01.jpg\",\"Cheek raiser (intensity: 1.45), Lip corner puller (smile) (intensity: 1.74)\",\"The person appears to be smiling gently.\",\"A young woman with shoulder-length hair, outdoors.\",\"In conclusion, the most likely emotional state is happiness, based on the smile.\",\"image\",\"face01\",\"happy\"\r\n")]
    [InlineData(ExportFileType.Au, "\"source_path\",\"chronological_emotion_peaks\",\"file_type\",\"id\",\"chronological_emotion_peaks_list\",\"overall_peak_au_description\",\"frame_count\",\"clip_au_codes\"\r\n\"/data/video/default.wmv\",\"Peak at 10.20s: disgust (slight); Peak at 11.73s: surprise (slight)\",\"au\",\"default\",\"[\"\"Peak at 10.20s: disgust (slight)\"\",\"\"Peak at 11.73s: surprise (slight)\"\"]\",\"Lips part (intensity: 1.94), Jaw drop (intensity: 2.08)\",\"\",\"[]\"\r\n")]
    public async Task Csv_for_other_types_is_byte_exact(ExportFileType type, string expected)
    {
        var result = await ExportFolder(_root, type, _out, format: null, csv: true);

        Assert.Equal(expected, File.ReadAllText(Path.Combine(_out, $"{type.Name()}_export_data.csv")));
        Assert.Equal(1, result.File("csv").RecordsWritten);
    }

    [Fact]
    public async Task Emotion_llama_coarse_matches_merr_layout_with_au_codes_list_priors_and_frame_count()
    {
        var result = await ExportFolder(_root, ExportFileType.Mer, _out, format: ExportFormat.EmotionLlama);

        Assert.Equal("clip02 0 surprise\nsample_00000023 10 angry", File.ReadAllText(Path.Combine(_out, "MERR_coarse_grained.txt")));
        AssertJsonEqual("""
            {
              "clip02": {
                "AU_list": ["AU05", "AU26"],
                "visual_prior_list": ["Upper lid raiser", "Jaw drop"],
                "audio_prior_list": ["The audio transcript is: 'Oh!'"],
                "peak_index": "12",
                "peak_AU_list": ["AU05", "AU26"],
                "pseu_emotion": "surprise",
                "caption": "The widened eyes and dropped jaw show surprise."
              },
              "sample_00000023": {
                "AU_list": ["AU06", "AU12"],
                "visual_prior_list": ["Cheek raiser", "Lid tightener", "Upper lip raiser"],
                "audio_prior_list": ["exasperated", "slightly annoyed"],
                "peak_index": "88",
                "peak_AU_list": ["AU06", "AU07", "AU10", "AU12", "AU14", "AU25"],
                "pseu_emotion": "angry",
                "caption": "Let's begin by dissecting the facial expressions. The lid tightener and upper lip raiser point to irritation.\nIn conclusion, the core emotional state is frustration, and the most likely cause is being asked a question he cannot answer."
              }
            }
            """, ParseFile(Path.Combine(_out, "MERR_coarse_grained.json")));
        Assert.Equal(2, result.File("emotion-llama-txt").RecordsWritten);
        // clip02 has no AU CSV: said once, with the count.
        Assert.Contains(result.Issues, i => i.Severity == IssueSeverity.Warning && i.Message.Contains("1 record(s) have no AU CSV"));
    }

    [Fact]
    public async Task Emotion_llama_fine_carries_reason_caption_and_transcript()
    {
        var result = await ExportFolder(_root, ExportFileType.Mer, _out, format: ExportFormat.EmotionLlamaFine);

        Assert.Equal("clip02 0 surprise\nsample_00000023 10 angry", File.ReadAllText(Path.Combine(_out, "MERR_fine_grained.txt")));
        var json = ParseFile(Path.Combine(_out, "MERR_fine_grained.json"));
        var sample = json["sample_00000023"]!.AsObject();
        Assert.Equal(MerOutputFixture.MerFinalSummary, sample["smp_reason_caption"]!.GetValue<string>());
        Assert.Equal(MerOutputFixture.MerTranscript, sample["text"]!.GetValue<string>());
        Assert.False(sample.ContainsKey("caption"));
        Assert.Equal("", json["clip02"]!["text"]!.GetValue<string>());
        Assert.Contains(result.Issues, i => i.Message.Contains("1 record(s) have no transcript"));
        // The subtitles table Emotion-LLaMA's loader reads (name, sentence) has a row for every TXT name.
        Assert.Equal($"name,sentence\nclip02,\nsample_00000023,{MerOutputFixture.MerTranscript}\n",
            File.ReadAllText(Path.Combine(_out, "transcription_en_all.csv")));
    }

    [Fact]
    public async Task Emotion_llama_needs_mer_records()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => ExportFolder(_root, ExportFileType.Video, _out, format: ExportFormat.EmotionLlama));
        Assert.Contains("needs 'mer' records", error.Message);
    }
}
