using System.Diagnostics;
using MerFactory.Cli.Tests;
using MerFactory.Llm.Tests.Fakes;
using MerFactory.Testing;

namespace MerFactory.Reliability.Tests;

/// <summary>MER-Factory parity: .env, usage-error exit codes, inputs read in place, stale error logs, export exit codes.</summary>
public sealed class ParityTests : IAsyncLifetime, IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mf-parity-").FullName;
    private readonly FakeOpenAi _model = new() { ApiKey = "sk-from-dotenv", Answer = InstructionFollowingModel.Create() };

    private static readonly Dictionary<string, string> Key = new() { ["OPENAI_API_KEY"] = "sk-from-dotenv" };

    private string Input => Path.Combine(_work, "in");
    private string Output => Path.Combine(_work, "out");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Input);
        File.Copy(SharedData.DataPath("media", "pyfeat", "single_face.jpg"), Path.Combine(Input, "face.jpg"));
        await _model.StartAsync();
    }

    public async Task DisposeAsync() => await _model.DisposeAsync();

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private string[] Process(params string[] extra) =>
        ["process", Input, Output, "--type", "image", "--chatgpt-model", "gpt-4o", "--openai-base-url", new Uri(_model.BaseUrl, "v1").ToString(), "--model-capabilities", "text,image", .. extra];

    [Fact]
    public async Task Dot_env_in_the_working_directory_supplies_keys_and_the_real_environment_wins()
    {
        await File.WriteAllTextAsync(Path.Combine(_work, ".env"), "# keys\nOPENAI_API_KEY=sk-from-dotenv\nGOOGLE_API_KEY=\"g-from-dotenv\"\n");

        var (exit, console) = await CliRunner.RunInAsync(_work, null, Process());
        Assert.True(exit == 0, console);
        Assert.Empty(_model.Rejections); // the fake checked the bearer key from .env

        // A key in the real environment wins over .env: it reaches the server, which refuses it (401), so the file fails.
        var other = Process().Select(a => a == Output ? Output + "-real-env" : a).ToArray();
        var (wrong, wrongConsole) = await CliRunner.RunInAsync(_work, new Dictionary<string, string> { ["OPENAI_API_KEY"] = "sk-real-environment" }, other);
        Assert.True(wrong == 1, wrongConsole);
        Assert.Contains("bad key", _model.Rejections);
    }

    [Fact]
    public async Task Inputs_are_read_in_place_and_the_error_log_of_a_file_that_later_succeeds_is_removed()
    {
        var answers = InstructionFollowingModel.Create();
        var failFirstRun = true;
        _model.Answer = call => failFirstRun ? "Error: model overloaded" : answers(call);

        var (failed, failedConsole) = await CliRunner.RunAsync(Key, Process("--llm-attempts", "1"));
        Assert.True(failed == 1, failedConsole);
        var errorLog = Path.Combine(Output, "error_logs", "face_error.log");
        Assert.True(File.Exists(errorLog));

        failFirstRun = false;
        var (exit, console) = await CliRunner.RunAsync(Key, Process());
        Assert.True(exit == 0, console);
        Assert.False(File.Exists(errorLog));

        // The object store names the input's own bytes (a hard link on the same file system), never a copy.
        var staged = Directory.GetFiles(Path.Combine(Output, ".merfactory", "merfactory", "inputs")).Single();
        Assert.Equal(await Inode(Path.Combine(Input, "face.jpg")), await Inode(staged));
    }

    [Theory]
    [InlineData("--bogus")]
    [InlineData("--type", "faces")]
    [InlineData("--concurrency", "0")]
    public async Task Usage_errors_exit_2_as_in_MER_Factory(params string[] flags)
    {
        var (exit, console) = await CliRunner.RunAsync(["process", Input, Output, .. flags]);
        Assert.True(exit == 2, console);
        var (missing, missingConsole) = await CliRunner.RunAsync("process", Path.Combine(_work, "nowhere"), Output);
        Assert.True(missing == 2, missingConsole);
    }

    [Fact]
    public async Task Export_after_a_mixed_run_exits_0_and_lists_the_folders_of_other_types()
    {
        var mer = Directory.CreateDirectory(Path.Combine(Output, "clip")).FullName;
        await File.WriteAllTextAsync(Path.Combine(mer, "clip_merr_data.json"), """
            {"source_path": "/data/clip.mp4", "audio_path": null, "chronological_emotion_peaks": ["neutral"], "overall_peak_frame_info": {},
             "coarse_descriptions_at_peak": {"visual_expression": "Cheek raiser", "visual_objective": "A man.", "audio_analysis": null, "video_content": "A man talks."},
             "final_summary": "Calm. Therefore, the emotion is: neutral", "degraded": true}
            """);
        var image = Directory.CreateDirectory(Path.Combine(Output, "photo")).FullName;
        await File.WriteAllTextAsync(Path.Combine(image, "photo_image_analysis.json"), """{"source_path": "/data/photo.jpg"}""");
        var exports = Path.Combine(_work, "exports");

        var (exit, console) = await CliRunner.RunAsync("export", "--output_folder", Output, "--file_type", "mer", "--export_path", exports);
        Assert.True(exit == 0, console);
        Assert.Contains("1 exported, 0 skipped, 1 passed over", console);
        Assert.Contains("[photo] no photo_merr_data.json", console);

        var (excluded, excludedConsole) = await CliRunner.RunAsync("export", "--output_folder", Output, "--file_type", "mer", "--export_path", exports, "--exclude-degraded");
        Assert.True(excluded == 2, excludedConsole); // nothing left to export
        Assert.Contains("degraded record excluded", excludedConsole);
    }

    private static async Task<string> Inode(string path)
    {
        var psi = new ProcessStartInfo("stat", ["-L", "-c", "%d:%i", path]) { RedirectStandardOutput = true };
        using var process = System.Diagnostics.Process.Start(psi)!;
        var text = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return text.Trim();
    }
}
