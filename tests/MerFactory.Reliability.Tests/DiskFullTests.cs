using System.Diagnostics;
using System.Text.Json;
using MerFactory.Cli.Tests;
using MerFactory.Llm.Tests.Fakes;
using MerFactory.Pipeline.Orchestration;
using Xunit.Abstractions;

namespace MerFactory.Reliability.Tests;

/// <summary>
/// A full disk (OUTPUT and the temporary folder on a 24 MB tmpfs): the file that fills it fails with the cause, the
/// others complete, run_summary.json is written and no half-written file remains. Needs root to mount the tmpfs.
/// </summary>
public sealed class DiskFullTests(ITestOutputHelper log) : IAsyncLifetime
{
    private readonly string _work = Directory.CreateTempSubdirectory("mf-disk-full-").FullName;
    private readonly FakeOpenAi _model = new() { ApiKey = null, Answer = InstructionFollowingModel.Create() };
    private string Disk => Path.Combine(_work, "disk");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Disk);
        var mount = await RunAsync("mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", Disk);
        Assert.True(mount.Exit == 0, $"this test mounts a small tmpfs and needs root (CAP_SYS_ADMIN): {mount.Output}");
        await _model.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _model.DisposeAsync();
        await RunAsync("umount", Disk);
        Directory.Delete(_work, recursive: true);
    }

    [Fact]
    public async Task The_file_that_fills_the_disk_fails_alone_and_the_run_completes()
    {
        var input = Path.Combine(_work, "in");
        Directory.CreateDirectory(input);
        // Distinct clips, so the files after the full disk do their own work (identical ones would reuse a_small's steps).
        foreach (var (name, source) in new[] { ("a_small", "testsrc"), ("c_small", "testsrc2"), ("d_small", "smptebars") })
            await CliRunner.FfmpegAsync("-f", "lavfi", "-i", source + "=duration=1:size=160x120:rate=5", "-pix_fmt", "yuv420p", Path.Combine(input, name + ".mp4"));
        // Every frame of 2 s of noise at 1280x720 as PNG is far more than 24 MB.
        await CliRunner.FfmpegAsync("-f", "lavfi", "-i", "color=c=gray:s=1280x720:d=2:r=25", "-vf", "noise=alls=100:allf=t", "-pix_fmt", "yuv420p", Path.Combine(input, "b_big.mp4"));
        var output = Path.Combine(Disk, "out");
        var temp = Directory.CreateDirectory(Path.Combine(Disk, "tmp")).FullName;

        var (exit, console) = await CliRunner.RunAsync(new Dictionary<string, string> { ["TMPDIR"] = temp },
            "process", input, output, "--type", "video", "-c", "1", "--frame-sample-fps", "0",
            "--chatgpt-model", "gpt-4o", "--openai-base-url", new Uri(_model.BaseUrl, "v1").ToString(), "--model-capabilities", "text,image");
        log.WriteLine(console);

        Assert.Equal(1, exit);
        using var summary = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "run_summary.json")));
        var files = summary.RootElement.GetProperty("Files").EnumerateArray()
            .ToDictionary(f => f.GetProperty("Id").GetString()!, f => ((FileStatus)f.GetProperty("Status").GetInt32(), f.GetProperty("Error").GetString()));
        Assert.Equal(FileStatus.Failed, files["b_big"].Item1);
        Assert.Contains("No space left on device", files["b_big"].Item2);
        Assert.DoesNotContain('\n', files["b_big"].Item2!);
        foreach (var small in new[] { "a_small", "c_small", "d_small" }) Assert.Equal(FileStatus.Succeeded, files[small].Item1);
        // The failed file's error log holds its cause, or the summary says why it could not be written; no empty log remains.
        var errorLog = Path.Combine(output, "error_logs", "b_big_error.log");
        Assert.True(File.Exists(errorLog) ? (await File.ReadAllTextAsync(errorLog)).Contains("No space left on device") : files["b_big"].Item2!.Contains("error log not written"),
            "b_big has neither an error log with the cause nor a note that it could not be written");
        var logs = Path.Combine(output, "error_logs");
        Assert.All(Directory.Exists(logs) ? Directory.EnumerateFiles(logs) : [], f => Assert.True(new FileInfo(f).Length > 0, $"{f} is empty"));
        DatasetAudit.AssertClean(output);
        Assert.Empty(Directory.EnumerateDirectories(temp, "mf-*")); // no step scratch folder left behind
    }

    private static async Task<(int Exit, string Output)> RunAsync(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output);
    }
}
