using System.Text.Json.Nodes;
using MerFactory.Export.Training;
using static MerFactory.Export.Tests.ExportTestHelpers;

namespace MerFactory.Export.Tests;

public sealed class TrainingHandOffTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly string _root;
    private readonly string _checkout;

    public TrainingHandOffTests()
    {
        _root = _temp.Combine("OUT");
        MerOutputFixture.WriteAll(_root);
        _checkout = _temp.Combine("LLaMA-Factory");
        Directory.CreateDirectory(Path.Combine(_checkout, "data"));
        File.WriteAllText(Path.Combine(_checkout, "data", "dataset_info.json"), """
            {
              "identity": {"file_name": "identity.json"},
              "mllm_demo": {"file_name": "mllm_demo.json", "formatting": "sharegpt", "columns": {"messages": "messages", "images": "images"}},
              "zz_last": {"hf_hub_url": "someone/dataset"}
            }
            """);
    }

    public void Dispose() => _temp.Dispose();

    private string InfoPath => Path.Combine(_checkout, "data", "dataset_info.json");

    [Fact]
    public void Registration_adds_a_sharegpt_entry_with_sha1_and_keeps_other_entries_in_order()
    {
        var file = _temp.Combine("abc.json");
        File.WriteAllText(file, "abc");

        var registration = LlamaFactoryRegistration.Register(_checkout, "merr_mer", file, ExportFileType.Mer);

        var info = ParseFile(InfoPath).AsObject();
        Assert.Equal(["identity", "mllm_demo", "zz_last", "merr_mer"], info.Select(p => p.Key));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"file_name": "mllm_demo.json", "formatting": "sharegpt", "columns": {"messages": "messages", "images": "images"}}"""), info["mllm_demo"]));
        AssertJsonEqual($$"""
            {
              "file_name": "{{J(file)}}",
              "file_sha1": "a9993e364706816aba3e25717850c26c9cd0d89d",
              "formatting": "sharegpt",
              "columns": {"messages": "messages", "videos": "videos", "audios": "audios"},
              "tags": {"role_tag": "role", "content_tag": "content", "user_tag": "user", "assistant_tag": "gpt"}
            }
            """, info["merr_mer"]);
        Assert.False(registration.Replaced);
        Assert.StartsWith("{\n    \"identity\": {\n        \"file_name\"", File.ReadAllText(InfoPath)); // indent 4 like register_dataset.py
    }

    [Theory]
    [InlineData(ExportFileType.Image, new[] { "messages", "images" })]
    [InlineData(ExportFileType.Video, new[] { "messages", "videos" })]
    [InlineData(ExportFileType.Audio, new[] { "messages", "audios" })]
    [InlineData(ExportFileType.Au, new[] { "messages", "images", "videos" })]
    public void Registration_columns_follow_the_type(ExportFileType type, string[] columns)
    {
        var file = _temp.Combine("d.json");
        File.WriteAllText(file, "[]");
        LlamaFactoryRegistration.Register(_checkout, "d", file, type);
        Assert.Equal(columns, ParseFile(InfoPath)["d"]!["columns"]!.AsObject().Select(c => c.Key));
    }

    [Fact]
    public void Registering_again_replaces_the_entry_and_bad_names_or_files_are_refused()
    {
        var file = _temp.Combine("d.json");
        File.WriteAllText(file, "[]");
        LlamaFactoryRegistration.Register(_checkout, "mllm_demo", file, ExportFileType.Video);
        var info = ParseFile(InfoPath).AsObject();
        Assert.Equal(3, info.Count);
        Assert.Equal(file, info["mllm_demo"]!["file_name"]!.GetValue<string>());

        Assert.Contains("commas", Assert.Throws<ArgumentException>(() => LlamaFactoryRegistration.Register(_checkout, "a,b", file, ExportFileType.Mer)).Message);
        Assert.Throws<FileNotFoundException>(() => LlamaFactoryRegistration.Register(_checkout, "x", _temp.Combine("absent.json"), ExportFileType.Mer));
        File.WriteAllText(InfoPath, "{ broken");
        Assert.Contains(InfoPath, Assert.Throws<InvalidDataException>(() => LlamaFactoryRegistration.Register(_checkout, "x", file, ExportFileType.Mer)).Message);
    }

    [Fact]
    public async Task Train_prepare_uses_every_option()
    {
        var exportDir = _temp.Combine("my training data");
        var prompts = _temp.Combine("prompts.json");
        MerOutputFixture.WritePromptFile(prompts);

        var result = await new TrainPrepare(new ExportRunner()).RunAsync(new TrainPrepareOptions
        {
            Framework = TrainingFramework.LlamaFactory,
            DataSource = _root,
            FileType = ExportFileType.Video,
            DatasetName = "mer2025_gemini_video",
            OutputDir = _temp.Combine("models"),
            ExportDir = exportDir,
            LlamaFactoryDir = _checkout,
            PromptFile = prompts,
        });

        // -t: the video CSV and its ShareGPT file (train.sh always read mer_export_data.csv).
        Assert.Equal(Path.Combine(exportDir, "video_export_data.csv"), result.CsvPath);
        Assert.Equal(Path.Combine(exportDir, "video_sharegpt_export.json"), result.DatasetFile);
        Assert.Equal(1, result.ShareGptExport.RecordsExported);
        Assert.Equal("<video>\nQ-video", ParseFile(result.DatasetFile)[0]!["messages"]![0]!["content"]!.GetValue<string>());
        // -n: the registered name; columns of the video type.
        var entry = ParseFile(InfoPath)["mer2025_gemini_video"]!;
        Assert.Equal(result.DatasetFile, entry["file_name"]!.GetValue<string>());
        Assert.Equal(["messages", "videos"], entry["columns"]!.AsObject().Select(c => c.Key));
        // -o: the model goes to {output}/{name}, and the next steps say so.
        Assert.Equal(Path.Combine(_temp.Combine("models"), "mer2025_gemini_video"), result.ModelOutputDir);
        Assert.Contains(result.NextSteps, s => s.Contains("llamafactory-cli webui") && s.Contains(_checkout));
        Assert.Contains(result.NextSteps, s => s.Contains(result.ModelOutputDir));
        Assert.Null(result.MsSwiftArguments);
    }

    [Fact]
    public async Task Train_prepare_for_ms_swift_needs_no_checkout_and_gives_the_dataset_argument()
    {
        var before = File.ReadAllText(InfoPath);
        var result = await new TrainPrepare(new ExportRunner()).RunAsync(new TrainPrepareOptions
        {
            Framework = TrainingFramework.MsSwift,
            DataSource = _root,
            DatasetName = "merr",
            ExportDir = _temp.Combine("td"),
            LlamaFactoryDir = _temp.Combine("absent"),
            OutputDir = _temp.Combine("swift-out"),
        });

        Assert.Equal(["--dataset", Path.Combine(_temp.Combine("td"), "mer_sharegpt_export.json")], result.MsSwiftArguments);
        Assert.Null(result.Registration);
        Assert.Equal(2, result.ShareGptExport.RecordsExported);
        Assert.Contains(result.NextSteps, s => s.StartsWith("swift sft") && s.Contains("--output_dir") && s.Contains(Path.Combine(_temp.Combine("swift-out"), "merr")));
        Assert.Equal(before, File.ReadAllText(InfoPath));
        Assert.Equal($"--dataset '{_temp.Combine("a b.json")}'", MsSwiftDatasetLine(_temp.Combine("a b.json")));
    }

    private static string MsSwiftDatasetLine(string path)
    {
        File.WriteAllText(path, "[]");
        return MsSwiftDataset.CommandLine(path);
    }

    [Fact]
    public async Task Train_prepare_refuses_a_missing_source_and_an_empty_dataset()
    {
        var prepare = new TrainPrepare(new ExportRunner());
        await Assert.ThrowsAsync<DirectoryNotFoundException>(() => prepare.RunAsync(new TrainPrepareOptions
        {
            DataSource = _temp.Combine("no-such-output"), DatasetName = "x", LlamaFactoryDir = _checkout, ExportDir = _temp.Combine("td"),
        }));

        var onlyVideo = _temp.Combine("only-video");
        MerOutputFixture.WriteVideo(onlyVideo);
        var empty = await Assert.ThrowsAsync<InvalidDataException>(() => prepare.RunAsync(new TrainPrepareOptions
        {
            DataSource = onlyVideo, FileType = ExportFileType.Image, DatasetName = "x", LlamaFactoryDir = _checkout, ExportDir = _temp.Combine("td"),
        }));
        Assert.Contains("No image records", empty.Message);
        Assert.Contains("0 skipped, 1 folders of other types", empty.Message);
        Assert.False(ParseFile(InfoPath).AsObject().ContainsKey("x"));
    }
}
