using System.Text.RegularExpressions;
using MerFactory.ModelHost.Tests.Support;
using MerFactory.Testing;

namespace MerFactory.Cli.Tests;

/// <summary><c>merfactory process CLIP OUT --huggingface-model PATH</c>: the model loads in the CLI's process and writes the records.</summary>
public sealed partial class LocalModelEndToEndTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mf-hfm-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    // Only the tiny model's word pieces ("▁w0".."▁w199") can produce this: the text came from the model.
    [GeneratedRegex(@"^\s*w\d+( w\d+)*\s*$")]
    private static partial Regex WordPieces();

    [Fact]
    public async Task A_local_gguf_model_writes_MER_records_whose_text_the_model_generated()
    {
        var input = Path.Combine(_work, "in");
        Directory.CreateDirectory(input);
        File.Copy(SharedData.DataPath("media", "pyfeat", "single_face.mp4"), Path.Combine(input, "clip.mp4"));
        var model = TinyGguf.Write(Path.Combine(_work, "tiny-random.gguf"));
        var output = Path.Combine(_work, "out");

        // A byte-level vocabulary makes every prompt character a token: give the context room for MER-Factory's prompts.
        var (exit, log) = await CliRunner.RunAsync(new Dictionary<string, string> { ["ModelHost__ContextSize"] = "16384", ["ModelHost__DefaultMaxTokens"] = "48" },
            "process", Path.Combine(input, "clip.mp4"), output, "--type", "MER", "--huggingface-model", model);

        Assert.True(exit == 0, log);
        Assert.Contains("Loading " + model + " in this process", log);
        Assert.Contains("it takes text", log);
        var record = OutputSchemas.AssertValidFile("merr_data", Path.Combine(output, "clip", "clip_merr_data.json"));
        var summary = record["final_summary"]!.GetValue<string>();
        Assert.Matches(WordPieces(), summary);
        // A text-only model describes the audio and video from their text evidence (transcript, AU timeline) and is
        // never sent the peak image: that field is null (never a placeholder) and the record says it is degraded.
        var coarse = record["coarse_descriptions_at_peak"]!;
        Assert.Matches(WordPieces(), coarse["audio_analysis"]!.GetValue<string>());
        Assert.Matches(WordPieces(), coarse["video_content"]!.GetValue<string>());
        Assert.Null(coarse["visual_objective"]);
        Assert.True(record["degraded"]!.GetValue<bool>());
        Assert.NotEqual(summary, coarse["video_content"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_pulled_hub_model_is_found_by_its_id_and_answers_the_image_pipeline()
    {
        await using var hub = new FakeHub();
        await hub.StartAsync();
        hub.Add("merfactory-test/tiny-GGUF", "tiny-random.gguf", await File.ReadAllBytesAsync(TinyGguf.Write(Path.Combine(_work, "source.gguf"))));
        var models = Path.Combine(_work, "models");
        const string id = "merfactory-test/tiny-GGUF/tiny-random.gguf";

        var pull = await CliRunner.RunAsync("models", "pull", id, "--models-dir", models, "--hub", hub.BaseUrl.AbsoluteUri);
        Assert.True(pull.ExitCode == 0, pull.Output);
        Assert.Contains("size and SHA-256 verified", pull.Output);
        Assert.True(File.Exists(Path.Combine(models, "merfactory-test-tiny-GGUF", "tiny-random.gguf")));

        var output = Path.Combine(_work, "out");
        var (exit, log) = await CliRunner.RunAsync(new Dictionary<string, string> { ["ModelHost__ModelsDirectory"] = models, ["ModelHost__ContextSize"] = "16384", ["ModelHost__DefaultMaxTokens"] = "32" },
            "process", SharedData.DataPath("media", "pyfeat", "single_face.jpg"), output, "--type", "image", "--huggingface-model", id);
        Assert.True(exit == 0, log);
        var record = OutputSchemas.AssertValidFile("image_analysis", Path.Combine(output, "single_face", "single_face_image_analysis.json"));
        Assert.Matches(WordPieces(), record["final_summary"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_model_path_that_is_not_a_model_fails_before_any_file_is_processed()
    {
        var bogus = Path.Combine(_work, "bogus.gguf");
        await File.WriteAllTextAsync(bogus, "not a model");
        var (exit, log) = await CliRunner.RunAsync("process", SharedData.DataPath("media", "pyfeat", "single_face.jpg"), Path.Combine(_work, "out"), "--type", "image", "--huggingface-model", bogus);
        Assert.Equal(1, exit);
        Assert.Contains("failed to load", log);
    }
}
