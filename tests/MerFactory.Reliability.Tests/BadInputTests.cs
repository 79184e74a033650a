using System.Text.Json;
using MerFactory.Cli.Tests;
using MerFactory.Llm.Tests.Fakes;
using MerFactory.Pipeline.Orchestration;
using Xunit.Abstractions;

namespace MerFactory.Reliability.Tests;

/// <summary>Every input of the bad-media set is handled cleanly in one MER run: a valid record, or one clear line.</summary>
public sealed class BadInputTests(ITestOutputHelper log) : IAsyncLifetime, IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mf-bad-media-").FullName;
    private readonly FakeOpenAi _model = new() { ApiKey = null, Answer = InstructionFollowingModel.Create() };

    public Task InitializeAsync() => _model.StartAsync();

    public async Task DisposeAsync() => await _model.DisposeAsync();

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task Every_bad_input_gets_a_valid_record_or_one_clear_line_and_the_run_goes_on()
    {
        var input = Path.Combine(_work, "in");
        var output = Path.Combine(_work, "out");
        var names = await BadMediaSet.WriteAsync(input);

        var (exit, console) = await CliRunner.RunAsync("process", input, output, "--type", "MER", "-c", "4",
            "--chatgpt-model", "gpt-4o", "--openai-base-url", new Uri(_model.BaseUrl, "v1").ToString(), "--model-capabilities", "text,image");
        log.WriteLine(console);

        Assert.Equal(1, exit); // some inputs are broken: the run says so, after doing all of them
        using var summary = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "run_summary.json")));
        var files = summary.RootElement.GetProperty("Files").EnumerateArray()
            .ToDictionary(f => f.GetProperty("RelativePath").GetString()!, f => (Status: ((FileStatus)f.GetProperty("Status").GetInt32()).ToString(), Error: f.GetProperty("Error").GetString(), Id: f.GetProperty("Id").GetString()!));
        // The link loop and the link to good.mp4 reach files already found: each file is one input.
        Assert.Equal(names.Order(), files.Keys.Order());

        var clean = 0;
        foreach (var (name, file) in files)
        {
            var handled = file.Status switch
            {
                "Succeeded" => true,
                "Failed" => file.Error is { } error && error.StartsWith(name + ": ", StringComparison.Ordinal) && !error.Contains('\n')
                    && !File.ReadAllText(Path.Combine(output, "error_logs", file.Id + "_error.log")).Contains("   at ", StringComparison.Ordinal),
                _ => false,
            };
            log.WriteLine($"{(handled ? "clean" : "NOT CLEAN")}: {name} -> {file.Status} {file.Error}");
            if (handled) clean++;
        }
        log.WriteLine($"bad inputs handled cleanly: {clean} of {files.Count}");
        Assert.Equal(files.Count, clean);

        Assert.Equal("Succeeded", files["good.mp4"].Status);
        Assert.Equal("Succeeded", files["no_audio.mp4"].Status);
        Assert.Equal("Succeeded", files["tenth_second.mp4"].Status);
        Assert.Equal("Succeeded", files["several_faces.jpg"].Status);
        Assert.Equal("Succeeded", files["odd name 'quoted' ünï -dash.mp4"].Status);
        var longName = files[BadMediaSet.LongStem + ".mp4"];
        Assert.Equal("Succeeded", longName.Status);
        Assert.True(longName.Id.Length <= 200, longName.Id);
        Assert.Contains("does not exist", files["dangling.mp4"].Error);
        Assert.Contains("cannot be read", files["unreadable.mp4"].Error);
        Assert.Contains("no video stream", files["audio_only.mp4"].Error);

        // The clip without sound has a null audio clue (never "N/A") and says it is degraded.
        var noAudio = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "no_audio", "no_audio_merr_data.json"))).RootElement;
        Assert.Equal(JsonValueKind.Null, noAudio.GetProperty("coarse_descriptions_at_peak").GetProperty("audio_analysis").ValueKind);
        Assert.True(noAudio.GetProperty("degraded").GetBoolean());
        Assert.True(DatasetAudit.AssertClean(output) >= 7);
    }

    [Fact]
    public async Task An_error_log_that_cannot_be_written_fails_only_its_file_and_the_summary_says_why()
    {
        var input = Path.Combine(_work, "in");
        var output = Path.Combine(_work, "out");
        Directory.CreateDirectory(input);
        File.Copy(MerFactory.Testing.SharedData.DataPath("media", "pyfeat", "single_face.jpg"), Path.Combine(input, "a_face.jpg"));
        await File.WriteAllBytesAsync(Path.Combine(input, "b_empty.jpg"), []);
        // A folder where b_empty's error log would go: the log cannot be written.
        Directory.CreateDirectory(Path.Combine(output, "error_logs", "b_empty_error.log"));

        var (exit, console) = await CliRunner.RunAsync("process", input, output, "--type", "image",
            "--chatgpt-model", "gpt-4o", "--openai-base-url", new Uri(_model.BaseUrl, "v1").ToString(), "--model-capabilities", "text,image");
        log.WriteLine(console);

        Assert.Equal(1, exit);
        using var summary = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "run_summary.json")));
        var files = summary.RootElement.GetProperty("Files").EnumerateArray()
            .ToDictionary(f => f.GetProperty("Id").GetString()!, f => (Status: (FileStatus)f.GetProperty("Status").GetInt32(), Error: f.GetProperty("Error").GetString()));
        Assert.Equal(FileStatus.Succeeded, files["a_face"].Status);
        Assert.Equal(FileStatus.Failed, files["b_empty"].Status);
        Assert.StartsWith("b_empty.jpg: ", files["b_empty"].Error);
        Assert.Contains("file is empty", files["b_empty"].Error);
        Assert.Contains("(error log not written: ", files["b_empty"].Error);
        Assert.Empty(Directory.EnumerateFiles(output, "*.partial", SearchOption.AllDirectories));
    }
}
