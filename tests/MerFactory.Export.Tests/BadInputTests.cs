using MerFactory.Export.Training;
using static MerFactory.Export.Tests.ExportTestHelpers;

namespace MerFactory.Export.Tests;

/// <summary>Bad input gives a reason naming the record and file, and counts that add up: nothing is dropped silently.</summary>
public sealed class BadInputTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly string _root;
    private readonly string _out;

    public BadInputTests()
    {
        _root = _temp.Combine("OUT");
        _out = _temp.Combine("export");
        MerOutputFixture.WriteMer(_root);
    }

    public void Dispose() => _temp.Dispose();

    private void WriteMerJson(string id, string content)
    {
        var folder = MerOutputFixture.Folder(_root, id);
        File.WriteAllText(Path.Combine(folder, $"{id}_merr_data.json"), content);
    }

    [Fact]
    public async Task Malformed_truncated_empty_and_wrongly_shaped_json_are_skipped_with_the_file_and_cause()
    {
        WriteMerJson("truncated", """{"source_path": "/v/t.mp4", "final_summary": "cut off he""");
        WriteMerJson("empty", "");
        WriteMerJson("array", """["not", "an", "object"]""");
        MerOutputFixture.Folder(_root, "missing"); // folder without its JSON (analysis never finished)

        var result = await ExportFolder(_root, ExportFileType.Mer, _out, csv: true);

        Assert.Equal(1, result.RecordsExported);
        Assert.Equal(3, result.RecordsSkipped);
        Assert.Equal(1, result.RecordsExcluded); // the folder without its JSON: not a record of this type
        Assert.Equal(1, result.File("csv").RecordsWritten);
        Assert.Equal(1, result.File("sharegpt-json").RecordsWritten);
        var truncated = Assert.Single(result.Issues, i => i.RecordId == "truncated");
        Assert.Equal(IssueSeverity.Skipped, truncated.Severity);
        Assert.Contains("malformed JSON", truncated.Message);
        Assert.Equal(Path.Combine(_root, "truncated", "truncated_merr_data.json"), truncated.Location);
        Assert.Contains("malformed JSON", Assert.Single(result.Issues, i => i.RecordId == "empty").Message);
        Assert.Contains("expected a JSON object", Assert.Single(result.Issues, i => i.RecordId == "array").Message);
        Assert.Contains("no missing_merr_data.json", Assert.Single(result.Issues, i => i.RecordId == "missing").Message);
    }

    [Fact]
    public async Task Partial_json_without_the_summary_or_source_is_skipped_and_missing_details_are_warned()
    {
        WriteMerJson("no_summary", """{"source_path": "/v/a.mp4", "chronological_emotion_peaks": ["neutral"]}""");
        WriteMerJson("no_source", """{"final_summary": "Something."}""");
        WriteMerJson("error_text", """{"source_path": "/v/e.mp4", "final_summary": "Error: 429 quota exceeded"}""");
        WriteMerJson("sparse", """{"source_path": "/v/s.mp4", "final_summary": "Calm.", "coarse_descriptions_at_peak": {"audio_analysis": {"transcript": "", "tone_description": ""}}}""");

        var result = await ExportFolder(_root, ExportFileType.Mer, _out, ExportFormat.EmotionLlama);

        Assert.Equal(2, result.RecordsExported); // sample_00000023 and sparse
        Assert.Equal(3, result.RecordsSkipped);
        Assert.Contains("'final_summary' is missing or empty", Assert.Single(result.Issues, i => i.RecordId == "no_summary").Message);
        Assert.Contains("no source_path", Assert.Single(result.Issues, i => i.RecordId == "no_source").Message);
        Assert.Contains("backend error", Assert.Single(result.Issues, i => i.RecordId == "error_text").Message);
        var sparse = result.Issues.Where(i => i.RecordId == "sparse").ToList();
        Assert.All(sparse, i => Assert.NotEqual(IssueSeverity.Skipped, i.Severity));
        Assert.Contains(sparse, i => i.Message.Contains("missing 'chronological_emotion_peaks'"));
        Assert.Contains(sparse, i => i.Message.Contains("missing or non-object 'overall_peak_frame_info'"));
        Assert.Contains(sparse, i => i.Message.Contains("audio model failed"));
        // No peaks means no emotion: kept in the JSON, left out of the TXT with the reason.
        Assert.Contains(sparse, i => i.Severity == IssueSeverity.LeftOut && i.Message.Contains("'unknown'"));
        Assert.Equal(result.WarningCount, result.Issues.Count(i => i.Severity == IssueSeverity.Warning));
    }

    [Fact]
    public async Task Duplicate_stems_are_exported_once_and_the_rest_reported()
    {
        // Same stem differing in case (one file on case-insensitive systems), and two folders whose source stems collide.
        MerOutputFixture.WriteMer(_root);
        WriteMerJson("Sample_00000023", File.ReadAllText(Path.Combine(_root, MerOutputFixture.MerId, $"{MerOutputFixture.MerId}_merr_data.json")));
        WriteMerJson("copy_a", """{"source_path": "/x/clip.mp4", "final_summary": "A."}""");
        WriteMerJson("copy_b", """{"source_path": "/y/clip.avi", "final_summary": "B."}""");

        var result = await ExportFolder(_root, ExportFileType.Mer, _out, ExportFormat.EmotionLlama);

        var duplicate = Assert.Single(result.Issues, i => i.Message.StartsWith("duplicate stem"));
        Assert.Equal(IssueSeverity.Skipped, duplicate.Severity);
        Assert.Contains("Sample_00000023", duplicate.Message);
        Assert.Equal(3, result.RecordsExported);
        // Emotion-LLaMA keys entries by the source's stem: the second 'clip' is left out rather than overwriting the first.
        Assert.Contains(result.Issues, i => i.RecordId == "copy_b" && i.Severity == IssueSeverity.LeftOut && i.Message.Contains("'clip' already exported"));
        var json = ParseFile(Path.Combine(_out, "MERR_coarse_grained.json")).AsObject();
        Assert.Equal("A.", json["clip"]!["caption"]!.GetValue<string>());
        Assert.Equal(2, json.Count);
    }

    [Fact]
    public async Task Odd_characters_in_names_and_text_survive_every_format()
    {
        var id = "Ünïcødé [x] (1) #a&b 表情";
        WriteMerJson(id, $$"""
            {"source_path": "/v/{{id}}.mp4", "audio_path": "/a/{{id}}.wav",
             "chronological_emotion_peaks": ["Peak at 1.00s: happy (slight)"],
             "final_summary": "Line one,\n\"two\"; <b>three</b> — 😊"}
            """);

        var result = await ExportFolder(_root, ExportFileType.Mer, _out, csv: true);

        Assert.Equal(2, result.RecordsExported);
        Assert.Equal(0, result.RecordsSkipped);
        var examples = ParseFile(Path.Combine(_out, "mer_sharegpt_export.json")).AsArray();
        var odd = examples.Single(e => e!["videos"]![0]!.GetValue<string>() == $"/v/{id}.mp4")!;
        Assert.Equal($"/a/{id}.wav", odd["audios"]![0]!.GetValue<string>());
        Assert.Equal("Line one,\n\"two\"; <b>three</b> — 😊", odd["messages"]![1]!["content"]!.GetValue<string>());
        // Non-ASCII stays readable in the file (export.py's ensure_ascii=False).
        Assert.Contains("Ünïcødé [x] (1) #a&b 表情", File.ReadAllText(Path.Combine(_out, "mer_sharegpt_export.json")));

        var fromCsv = _temp.Combine("from-csv");
        var viaCsv = await new ExportRunner().RunAsync(new ExportOptions { InputCsv = Path.Combine(_out, "mer_export_data.csv"), ExportPath = fromCsv });
        Assert.Equal(2, viaCsv.RecordsExported);
        Assert.Equal(File.ReadAllText(Path.Combine(_out, "mer_sharegpt_export.json")), File.ReadAllText(Path.Combine(fromCsv, "mer_sharegpt_export.json")));
    }

    [Fact]
    public async Task Broken_csv_rows_are_skipped_with_their_row_number()
    {
        await ExportFolder(_root, ExportFileType.Video, _out, format: null, csv: true);
        var csv = _temp.Combine("video_export_data.csv");
        File.WriteAllText(csv,
            "\"source_path\",\"llm_video_summary\",\"file_type\",\"id\"\r\n"
            + "\"/v/a.mp4\",\"Fine.\",\"video\",\"a\"\r\n"
            + "\"/v/b.mp4\",\"Too few fields\"\r\n"
            + "\"/v/c.mp4\",\"Wrong type.\",\"audio\",\"c\"\r\n"
            + "\"/v/d.mp4\",\"\",\"video\",\"d\"\r\n");

        var result = await new ExportRunner().RunAsync(new ExportOptions { InputCsv = csv, ExportPath = _out });

        Assert.Equal(1, result.RecordsExported);
        Assert.Equal(3, result.RecordsSkipped);
        Assert.Contains(result.Issues, i => i.Location!.EndsWith(":row 2") && i.Message.Contains("2 fields, the header has 4"));
        Assert.Contains(result.Issues, i => i.Location!.EndsWith(":row 3") && i.Message.Contains("differs from the CSV's type"));
        Assert.Contains(result.Issues, i => i.Location!.EndsWith(":row 4") && i.Message.Contains("'llm_video_summary' is missing or empty"));
    }

    [Fact]
    public async Task Unusable_inputs_fail_with_the_path_and_cause()
    {
        var runner = new ExportRunner();
        var noFolder = await Assert.ThrowsAsync<DirectoryNotFoundException>(() => ExportFolder(_temp.Combine("nope"), ExportFileType.Mer, _out));
        Assert.Contains("nope", noFolder.Message);
        await Assert.ThrowsAsync<FileNotFoundException>(() => runner.RunAsync(new ExportOptions { InputCsv = _temp.Combine("none.csv") }));
        var headerless = _temp.Combine("plain.csv");
        File.WriteAllText(headerless, "a,b\n1,2\n");
        var noType = await Assert.ThrowsAsync<InvalidDataException>(() => runner.RunAsync(new ExportOptions { InputCsv = headerless }));
        Assert.Contains("no 'file_type' column", noType.Message);
        var typeless = await Assert.ThrowsAsync<ArgumentException>(() => runner.RunAsync(new ExportOptions { OutputFolder = _root }));
        Assert.Contains("file type", typeless.Message);
        var badPrompts = _temp.Combine("prompts.json");
        File.WriteAllText(badPrompts, "{ not json");
        var prompts = await Assert.ThrowsAsync<InvalidDataException>(() => ExportFolder(_root, ExportFileType.Mer, _out, promptFile: badPrompts));
        Assert.Contains(badPrompts, prompts.Message);
    }

    [Fact]
    public async Task Missing_llama_factory_checkout_is_a_clear_error_before_anything_is_written()
    {
        var export = _temp.Combine("training_data");
        var prepare = new TrainPrepare(new ExportRunner());

        var missing = await Assert.ThrowsAsync<LlamaFactoryCheckoutNotFoundException>(() => prepare.RunAsync(new TrainPrepareOptions
        {
            DataSource = _root,
            DatasetName = "merr_test",
            ExportDir = export,
            LlamaFactoryDir = _temp.Combine("LLaMA-Factory"),
        }));
        Assert.Contains("LLaMA-Factory checkout not found", missing.Message);
        Assert.Contains(_temp.Combine("LLaMA-Factory"), missing.Message);
        Assert.False(Directory.Exists(export));

        var notCheckout = _temp.Combine("empty-dir");
        Directory.CreateDirectory(notCheckout);
        var notOne = Assert.Throws<LlamaFactoryCheckoutNotFoundException>(() =>
            LlamaFactoryRegistration.Register(notCheckout, "x", Path.Combine(_root, MerOutputFixture.MerId, $"{MerOutputFixture.MerId}.csv"), ExportFileType.Mer));
        Assert.Contains("dataset_info.json", notOne.Message);
    }

    [Fact]
    public async Task A_failed_export_leaves_no_partial_files()
    {
        var runner = new ExportRunner();
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            runner.RunAsync(new ExportOptions { OutputFolder = _root, FileType = ExportFileType.Mer, ExportPath = _out, ExportCsv = true }, cancel.Token));

        Assert.Empty(Directory.GetFiles(_out));
    }
}
