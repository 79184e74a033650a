using System.Text.Json;

namespace MerFactory.Cli.Tests;

/// <summary><c>merfactory export</c> and <c>merfactory train</c>, run as a child process on a MER-Factory output folder.</summary>
public sealed class ExportCommandTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mf-export-cli-").FullName;

    private string Exports => Path.Combine(_work, "exports");

    /// <summary>One output folder per type, as <c>merfactory process -t TYPE</c> writes them.</summary>
    private string Outputs(string type) => Path.Combine(_work, $"OUT-{type}");

    public ExportCommandTests()
    {
        foreach (var type in new[] { "mer", "au", "audio", "video", "image" }) OutputFolderFixture.Write(Outputs(type), type);
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Theory]
    [InlineData("mer", "<video><audio>", new[] { "videos", "audios" })]
    [InlineData("video", "<video>", new[] { "videos" })]
    [InlineData("audio", "<audio>", new[] { "audios" })]
    [InlineData("image", "<image>", new[] { "images" })]
    [InlineData("au", "<video>", new[] { "videos" })]
    public async Task ShareGptJsonHasOneTagPerMediaEntryForEveryType(string type, string tags, string[] mediaKeys)
    {
        var (exit, output) = await CliRunner.RunAsync("export", "--output_folder", Outputs(type), "--file_type", type, "--export_path", Exports);

        Assert.True(exit == 0, output);
        var expected = OutputFolderFixture.RecordsOfType(type);
        Assert.Contains($"export ({type}): {expected} exported, 0 skipped", output, StringComparison.OrdinalIgnoreCase);
        var entries = JsonDocument.Parse(File.ReadAllText(Path.Combine(Exports, $"{type}_sharegpt_export.json"))).RootElement;
        Assert.Equal(expected, entries.GetArrayLength());
        foreach (var entry in entries.EnumerateArray())
        {
            var messages = entry.GetProperty("messages");
            var user = messages[0].GetProperty("content").GetString()!;
            Assert.Equal("user", messages[0].GetProperty("role").GetString());
            Assert.Equal("gpt", messages[1].GetProperty("role").GetString());
            Assert.StartsWith(tags + "\n", user);
            Assert.False(string.IsNullOrWhiteSpace(messages[1].GetProperty("content").GetString()));
            // LLaMA-Factory's mm_plugin refuses a sample whose tag count differs from its media count.
            foreach (var (key, tag) in new[] { ("images", "<image>"), ("videos", "<video>"), ("audios", "<audio>") })
            {
                var media = entry.TryGetProperty(key, out var list) ? list.GetArrayLength() : 0;
                Assert.Equal(Count(user, tag), media);
            }
            Assert.All(mediaKeys, key => Assert.True(entry.GetProperty(key).GetArrayLength() > 0, $"{key} empty in {entry}"));
        }
    }

    [Fact]
    public async Task JsonlWritesOneCompactEntryPerLine()
    {
        var (exit, output) = await CliRunner.RunAsync("export", "--output-folder", Outputs("mer"), "--file-type", "mer", "--export-path", Exports, "--json-format", "jsonl");

        Assert.True(exit == 0, output);
        var lines = File.ReadAllLines(Path.Combine(Exports, "mer_sharegpt_export.jsonl"));
        Assert.Equal(2, lines.Length);
        Assert.All(lines, line => Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(line).RootElement.ValueKind));
        Assert.False(File.Exists(Path.Combine(Exports, "mer_sharegpt_export.json")));
    }

    [Fact]
    public async Task EmotionLlamaCoarseAndFineWriteTxtAndJsonWithListsAndTheTranscript()
    {
        var coarse = await CliRunner.RunAsync("export", "--output_folder", Outputs("mer"), "--file_type", "mer", "--export_path", Exports, "--export_format", "emotion-llama");
        var fine = await CliRunner.RunAsync("export", "--output_folder", Outputs("mer"), "--file_type", "mer", "--export_path", Exports, "--export_format", "emotion-llama-fine");

        Assert.True(coarse.ExitCode == 0, coarse.Output);
        Assert.True(fine.ExitCode == 0, fine.Output);
        var txt = File.ReadAllLines(Path.Combine(Exports, "MERR_coarse_grained.txt"));
        Assert.Contains($"{OutputFolderFixture.MerId} 10 angry", txt);
        var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Exports, "MERR_coarse_grained.json"))).RootElement.GetProperty(OutputFolderFixture.MerId);
        Assert.Equal(JsonValueKind.Array, json.GetProperty("audio_prior_list").ValueKind);
        Assert.Contains("AU06", json.GetProperty("AU_list").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(OutputFolderFixture.MerSummary, json.GetProperty("caption").GetString());
        var fineJson = JsonDocument.Parse(File.ReadAllText(Path.Combine(Exports, "MERR_fine_grained.json"))).RootElement.GetProperty(OutputFolderFixture.MerId);
        Assert.Equal(OutputFolderFixture.MerTranscript, fineJson.GetProperty("text").GetString());
        Assert.True(File.Exists(Path.Combine(Exports, "MERR_fine_grained.txt")));
    }

    [Fact]
    public async Task CsvToJsonEqualsTheDirectExport()
    {
        var direct = await CliRunner.RunAsync("export", "--output_folder", Outputs("mer"), "--file_type", "mer", "--export_path", Exports, "--export_csv", "--seed", "7");
        Assert.True(direct.ExitCode == 0, direct.Output);
        var csv = Path.Combine(Exports, "mer_export_data.csv");
        var converted = Path.Combine(_work, "converted");

        var fromCsv = await CliRunner.RunAsync("export", "--input_csv", csv, "--export_path", converted, "--seed", "7");

        Assert.True(fromCsv.ExitCode == 0, fromCsv.Output);
        Assert.Contains("2 exported, 0 skipped", fromCsv.Output);
        Assert.Equal(File.ReadAllText(Path.Combine(Exports, "mer_sharegpt_export.json")), File.ReadAllText(Path.Combine(converted, "mer_sharegpt_export.json")));
        // The CSV keeps real newlines inside its quoted cells (export.py wrote a literal backslash-n).
        Assert.Contains("irritation.\nIn conclusion", File.ReadAllText(csv));
    }

    [Fact]
    public async Task CsvOnlyWritesNoTrainingFile()
    {
        var (exit, output) = await CliRunner.RunAsync("export", "--output_folder", Outputs("audio"), "--file_type", "audio", "--export_path", Exports, "--export_csv", "--export_format", "none");

        Assert.True(exit == 0, output);
        Assert.Equal(["audio_export_data.csv"], Directory.GetFiles(Exports).Select(Path.GetFileName));
    }

    [Fact]
    public async Task TheSeedAndThePromptFileDecideTheInstructions()
    {
        var prompts = Path.Combine(_work, "prompts.json");
        File.WriteAllText(prompts, JsonSerializer.Serialize(new { user_questions = new { mer = Enumerable.Range(1, 20).Select(i => $"Question {i}?").ToArray() } }));

        async Task<string[]> InstructionsAsync(string seed, string folder)
        {
            var (exit, output) = await CliRunner.RunAsync("export", "--output_folder", Outputs("mer"), "--file_type", "mer", "--export_path", folder, "--prompt-file", prompts, "--seed", seed);
            Assert.True(exit == 0, output);
            return JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "mer_sharegpt_export.json"))).RootElement.EnumerateArray()
                .Select(e => e.GetProperty("messages")[0].GetProperty("content").GetString()!.Split('\n', 2)[1]).ToArray();
        }

        var first = await InstructionsAsync("1", Path.Combine(_work, "s1"));
        var again = await InstructionsAsync("1", Path.Combine(_work, "s1b"));
        var other = await InstructionsAsync("2", Path.Combine(_work, "s2"));

        Assert.All(first, q => Assert.Matches(@"^Question \d+\?$", q));
        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public async Task BadRecordsAreSkippedNamedAndCountedAndTheExitCodeSaysSo()
    {
        var broken = Path.Combine(Outputs("mer"), "broken");
        Directory.CreateDirectory(broken);
        File.WriteAllText(Path.Combine(broken, "broken_merr_data.json"), "{ \"source_path\": \"/data/broken.mp4\", ");
        var partial = Path.Combine(Outputs("mer"), "partial");
        Directory.CreateDirectory(partial);
        File.WriteAllText(Path.Combine(partial, "partial_merr_data.json"), """{ "chronological_emotion_peaks": [] }""");

        var (exit, output) = await CliRunner.RunAsync("export", "--output_folder", Outputs("mer"), "--file_type", "mer", "--export_path", Exports);

        Assert.Equal(2, exit);
        Assert.Contains("2 exported, 2 skipped", output);
        Assert.Contains("[broken] malformed JSON", output);
        Assert.Contains("broken_merr_data.json", output);
        Assert.Contains("[partial]", output);
        Assert.Equal(2, JsonDocument.Parse(File.ReadAllText(Path.Combine(Exports, "mer_sharegpt_export.json"))).RootElement.GetArrayLength());
    }

    [Fact]
    public async Task IssuesPrintedAreBoundedWhileTheCountsStayExact()
    {
        for (var i = 0; i < ExportCommandLimits.MaxIssuesPrinted + 5; i++)
        {
            var folder = Path.Combine(Outputs("mer"), $"bad{i:00}");
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, $"bad{i:00}_merr_data.json"), "not json");
        }

        var (exit, output) = await CliRunner.RunAsync("export", "--output_folder", Outputs("mer"), "--file_type", "mer", "--export_path", Exports);

        Assert.Equal(2, exit);
        Assert.Contains($"2 exported, {ExportCommandLimits.MaxIssuesPrinted + 5} skipped", output);
        var printed = output.Split('\n').Count(l => l.TrimStart().StartsWith("skipped:", StringComparison.Ordinal));
        Assert.Equal(ExportCommandLimits.MaxIssuesPrinted, printed);
        Assert.Contains("more issues", output);
    }

    [Theory]
    [InlineData("Invalid --file_type 'faces'", "--output_folder", "{OUT}", "--file_type", "faces")]
    [InlineData("Invalid --export_format 'alpaca'", "--output_folder", "{OUT}", "--file_type", "mer", "--export_format", "alpaca")]
    [InlineData("Invalid --json_format 'xml'", "--output_folder", "{OUT}", "--file_type", "mer", "--json_format", "xml")]
    [InlineData("Nothing to export")]
    [InlineData("not both", "--output_folder", "{OUT}", "--file_type", "mer", "--input_csv", "{OUT}/x.csv")]
    [InlineData("--file_type is required", "--output_folder", "{OUT}")]
    [InlineData("does not exist", "--output_folder", "{WORK}/nowhere", "--file_type", "mer")]
    [InlineData("does not exist", "--input_csv", "{WORK}/nowhere.csv")]
    [InlineData("needs 'mer' records", "--output_folder", "{OUT}", "--file_type", "video", "--export_format", "emotion-llama")]
    [InlineData("'--seed'", "--output_folder", "{OUT}", "--file_type", "mer", "--seed", "abc")]
    [InlineData("Unrecognized command or argument '--bogus'", "--output_folder", "{OUT}", "--file_type", "mer", "--bogus")]
    public async Task BadFlagsAreRejectedWithAClearMessage(string expected, params string[] flags)
    {
        var args = flags.Select(f => f.Replace("{OUT}", Outputs("mer")).Replace("{WORK}", _work)).Prepend("export").Append("--export_path").Append(Exports).ToArray();

        var (exit, output) = await CliRunner.RunAsync(args);

        Assert.NotEqual(0, exit);
        Assert.Contains(expected, output, StringComparison.OrdinalIgnoreCase);
        Assert.False(Directory.Exists(Exports));
    }

    [Fact]
    public async Task TrainPrepareRunsTheWholeFlowAndEveryOptionTakesEffect()
    {
        var checkout = FakeLlamaFactory();
        var exportDir = Path.Combine(_work, "training");
        var models = Path.Combine(_work, "models");

        var (exit, output) = await CliRunner.RunAsync("train", "prepare", "-d", Outputs("video"), "-t", "video", "-n", "clips_video", "-o", models,
            "--llama-factory-dir", checkout, "--export-dir", exportDir);

        Assert.True(exit == 0, output);
        Assert.True(File.Exists(Path.Combine(exportDir, "video_export_data.csv")));
        var dataset = Path.Combine(exportDir, "video_sharegpt_export.json");
        Assert.Equal(1, JsonDocument.Parse(File.ReadAllText(dataset)).RootElement.GetArrayLength());
        var info = JsonDocument.Parse(File.ReadAllText(Path.Combine(checkout, "data", "dataset_info.json"))).RootElement;
        Assert.True(info.TryGetProperty("existing", out _));
        var entry = info.GetProperty("clips_video");
        Assert.Equal(dataset, entry.GetProperty("file_name").GetString());
        Assert.Equal("sharegpt", entry.GetProperty("formatting").GetString());
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA1.HashData(File.ReadAllBytes(dataset))), entry.GetProperty("file_sha1").GetString());
        Assert.True(entry.GetProperty("columns").TryGetProperty("videos", out _));
        Assert.Contains(Path.Combine(models, "clips_video"), output);
        Assert.Contains("llamafactory-cli", output);
    }

    [Fact]
    public async Task TrainPrepareWithoutALlamaFactoryCheckoutFailsBeforeWritingAnything()
    {
        var exportDir = Path.Combine(_work, "training");
        var missing = Path.Combine(_work, "LLaMA-Factory");

        var (exit, output) = await CliRunner.RunAsync("train", "prepare", "-d", Outputs("mer"), "-n", "mer_ds", "--llama-factory-dir", missing, "--export-dir", exportDir);

        Assert.Equal(1, exit);
        Assert.Contains($"LLaMA-Factory checkout not found at '{missing}'", output);
        Assert.False(Directory.Exists(exportDir));
    }

    [Fact]
    public async Task TrainPrepareForMsSwiftNeedsNoCheckoutAndPrintsTheDatasetArgument()
    {
        var exportDir = Path.Combine(_work, "training");

        var (exit, output) = await CliRunner.RunAsync("train", "prepare", "-f", "ms_swift", "-d", Outputs("audio"), "-t", "audio", "-n", "speech", "--export-dir", exportDir);

        Assert.True(exit == 0, output);
        Assert.Contains($"--dataset {Path.Combine(exportDir, "audio_sharegpt_export.json")}", output);
        Assert.Contains("swift sft", output);
    }

    [Theory]
    [InlineData("Invalid --framework 'axolotl'", "prepare", "-f", "axolotl", "-d", "{OUT}", "-n", "x")]
    [InlineData("--data_source", "prepare", "-n", "x")]
    [InlineData("Invalid --file_type 'faces'", "prepare", "-d", "{OUT}", "-n", "x", "-t", "faces")]
    [InlineData("must not contain commas", "prepare", "-f", "ms_swift", "-d", "{OUT}", "-n", "a,b")]
    [InlineData("does not exist", "prepare", "-f", "ms_swift", "-d", "{WORK}/nowhere", "-n", "x")]
    [InlineData("does not exist", "register", "--framework", "ms_swift", "--dataset_name", "x", "--file_path", "{WORK}/none.json", "--file_type", "mer")]
    public async Task TrainRejectsBadOptionsClearly(string expected, params string[] flags)
    {
        var args = flags.Select(f => f.Replace("{OUT}", Outputs("mer")).Replace("{WORK}", _work)).Prepend("train").ToArray();

        var (exit, output) = await CliRunner.RunAsync(args);

        Assert.NotEqual(0, exit);
        Assert.Contains(expected, output);
    }

    [Fact]
    public async Task TrainRegisterAddsTheEntryForLlamaFactoryAndPrintsTheArgumentForMsSwift()
    {
        var checkout = FakeLlamaFactory();
        var export = await CliRunner.RunAsync("export", "--output_folder", Outputs("image"), "--file_type", "image", "--export_path", Exports);
        Assert.True(export.ExitCode == 0, export.Output);
        var dataset = Path.Combine(Exports, "image_sharegpt_export.json");

        var llama = await CliRunner.RunAsync("train", "register", "--framework", "llama_factory", "--dataset_name", "faces", "--file_path", dataset, "--file_type", "image", "--llama-factory-dir", checkout);
        var swift = await CliRunner.RunAsync("train", "register", "--framework", "ms_swift", "--dataset_name", "faces", "--file_path", dataset, "--file_type", "image");
        var noCheckout = await CliRunner.RunAsync("train", "register", "--dataset_name", "faces", "--file_path", dataset, "--file_type", "image", "--llama-factory-dir", Path.Combine(_work, "none"));

        Assert.True(llama.ExitCode == 0, llama.Output);
        var columns = JsonDocument.Parse(File.ReadAllText(Path.Combine(checkout, "data", "dataset_info.json"))).RootElement.GetProperty("faces").GetProperty("columns");
        Assert.Equal(["messages", "images"], columns.EnumerateObject().Select(p => p.Name));
        Assert.True(swift.ExitCode == 0, swift.Output);
        Assert.Equal($"--dataset {dataset}", swift.Output.Trim());
        Assert.Equal(1, noCheckout.ExitCode);
        Assert.Contains("LLaMA-Factory checkout not found", noCheckout.Output);
    }

    private string FakeLlamaFactory()
    {
        var checkout = Path.Combine(_work, "LLaMA-Factory");
        Directory.CreateDirectory(Path.Combine(checkout, "data"));
        File.WriteAllText(Path.Combine(checkout, "data", "dataset_info.json"), """{ "existing": { "file_name": "alpaca.json" } }""");
        return checkout;
    }

    private static int Count(string text, string tag)
    {
        var count = 0;
        for (var i = text.IndexOf(tag, StringComparison.Ordinal); i >= 0; i = text.IndexOf(tag, i + tag.Length, StringComparison.Ordinal)) count++;
        return count;
    }
}

/// <summary>The printing bound of <c>merfactory export</c>, mirrored here (the CLI is run as a process).</summary>
internal static class ExportCommandLimits
{
    public const int MaxIssuesPrinted = MerFactory.Cli.ExportCommand.MaxIssuesPrinted;
}

/// <summary>
/// A MER-Factory output folder (spec §7.1 layout, §7.2 JSON shapes, 4-space indents): two MER records (one
/// with AU CSV and transcript, one older-style with only the extracted wav), and one each of au, audio, video,
/// image (each type in its own folder), plus the run's <c>error_logs/</c> and <c>.llm_cache/</c>.
/// </summary>
internal static class OutputFolderFixture
{
    public const string MerId = "sample_00000023";
    public const string MerTranscript = "我哪知道啊？ 我也没有这方面的经验。";

    public const string MerSummary = "The lid tightener points to irritation.\nIn conclusion, frustration.";

    public static int RecordsOfType(string type) => type == "mer" ? 2 : 1;

    public static void Write(string root, string type)
    {
        switch (type)
        {
            case "mer": WriteMer(root); break;
            case "au": WriteAu(root); break;
            case "audio": WriteAudio(root); break;
            case "video": WriteVideo(root); break;
            case "image": WriteImage(root); break;
        }
        Directory.CreateDirectory(Path.Combine(root, "error_logs"));
        File.WriteAllText(Path.Combine(root, "error_logs", "broken_error.log"), "Traceback ...");
        Directory.CreateDirectory(Path.Combine(root, ".llm_cache"));
    }

    private static void WriteMer(string root)
    {
        Write(root, MerId, "merr_data", $$"""
            {
                "source_path": "/data/video/{{MerId}}.mp4",
                "audio_path": "/out/{{MerId}}/{{MerId}}.wav",
                "chronological_emotion_peaks": [
                    "Peak at 1.20s: happy (slight)",
                    "Peak at 3.48s: angry (slight), contempt (slight)"
                ],
                "overall_peak_frame_info": {
                    "frame_number": 88,
                    "timestamp": 3.48,
                    "top_aus_intensities": { "AU06_r": 1.45, "AU07_r": 2.78, "AU12_r": 1.74 }
                },
                "coarse_descriptions_at_peak": {
                    "visual_expression": "Cheek raiser (intensity: 1.45), Lid tightener (intensity: 2.78), Lip corner puller (smile) (intensity: 1.74)",
                    "visual_objective": "A man in a white coat.",
                    "audio_analysis": "\u6211\u54ea\u77e5\u9053\u554a\uff1f \u6211\u4e5f\u6ca1\u6709\u8fd9\u65b9\u9762\u7684\u7ecf\u9a8c\u3002\nSpeaker's tone: exasperated.",
                    "video_content": "Two men are in a room."
                },
                "final_summary": "The lid tightener points to irritation.\nIn conclusion, frustration.",
                "ground_truth_label": "angry"
            }
            """);
        // 10 OpenFace frames, AU06 above 0.8 in half of them.
        var csv = new System.Text.StringBuilder("frame, face_id, timestamp, confidence, success, AU06_r, AU12_r\n");
        for (var frame = 1; frame <= 10; frame++) csv.Append($"{frame}, 0, {(frame - 1) * 0.04:0.00}, 0.98, 1, {(frame <= 5 ? "1.50" : "0.20")}, 0.10\n");
        File.WriteAllText(Path.Combine(root, MerId, $"{MerId}.csv"), csv.ToString());
        File.WriteAllText(Path.Combine(root, MerId, $"{MerId}_transcript.json"), $$"""{"text": "{{MerTranscript}}"}""");

        Write(root, "clip02", "merr_data", """
            {
                "source_path": "/data/video/clip02.avi",
                "chronological_emotion_peaks": ["Peak at 0.50s: surprise (moderate)"],
                "overall_peak_frame_info": { "frame_number": 12, "timestamp": 2.0, "top_aus_intensities": { "AU05_r": 1.2, "AU26_r": 2.0 } },
                "coarse_descriptions_at_peak": {
                    "visual_expression": "Upper lid raiser (intensity: 1.20), Jaw drop (intensity: 2.00)",
                    "visual_objective": "N/A",
                    "audio_analysis": "The audio transcript is: 'Oh!'",
                    "video_content": ""
                },
                "final_summary": "The widened eyes and dropped jaw show surprise."
            }
            """);
        File.WriteAllBytes(Path.Combine(root, "clip02", "clip02.wav"), [0x52, 0x49, 0x46, 0x46]);
    }

    private static void WriteAu(string root) =>
        Write(root, "default", "au_analysis", """
            {
                "source_path": "/data/video/default.wmv",
                "chronological_emotion_peaks": ["Peak at 10.20s: disgust (slight)", "Peak at 11.73s: surprise (slight)"],
                "overall_peak_au_description": "Lips part (intensity: 1.94), Jaw drop (intensity: 2.08)"
            }
            """);

    private static void WriteAudio(string root) =>
        Write(root, "speech01", "audio_analysis", """
            { "source_path": "/data/audio/speech01.wav", "audio_analysis": "And so my fellow Americans.\nSpeaker's tone: solemn, firm." }
            """);

    private static void WriteVideo(string root) =>
        Write(root, "clip03", "video_analysis", """
            { "source_path": "/data/video/clip03.mp4", "llm_video_summary": "Two men are in a room. \"Why?\" one asks." }
            """);

    private static void WriteImage(string root) =>
        Write(root, "face01", "image_analysis", """
            {
                "source_path": "/data/images/face01.jpg",
                "au_text_description": "Cheek raiser (intensity: 1.45), Lip corner puller (smile) (intensity: 1.74)",
                "llm_au_description": "The person appears to be smiling gently.",
                "image_visual_description": "A young woman with shoulder-length hair, outdoors.",
                "final_summary": "In conclusion, the most likely emotional state is happiness.",
                "ground_truth_label": "happy"
            }
            """);

    private static void Write(string root, string id, string kind, string json)
    {
        Directory.CreateDirectory(Path.Combine(root, id));
        File.WriteAllText(Path.Combine(root, id, $"{id}_{kind}.json"), json);
    }
}
