using System.Text.Json;
using MerFactory.Testing;

namespace MerFactory.Cli.Tests;

public sealed class ProcessCommandTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mf-cli-").FullName;

    private string InputDir => Path.Combine(_work, "in");
    private string OutputDir => Path.Combine(_work, "out");

    public ProcessCommandTests() => Directory.CreateDirectory(InputDir);

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task BadInputsFailOneByOneWithClearMessagesWhileGoodFilesComplete()
    {
        File.Copy(SharedData.DataPath("media", "pyfeat", "single_face.mp4"), Path.Combine(InputDir, "clip ünïcode with spaces.mp4"));
        // A video with no audio track is "no audio", not an error.
        await CliRunner.FfmpegAsync("-f", "lavfi", "-i", "testsrc=duration=1:size=160x120:rate=10", "-pix_fmt", "yuv420p", Path.Combine(InputDir, "silent_video.mp4"));
        var truncated = await File.ReadAllBytesAsync(SharedData.DataPath("media", "pyfeat", "single_face.mp4"));
        await File.WriteAllBytesAsync(Path.Combine(InputDir, "truncated.mp4"), truncated[..(truncated.Length / 3)]);
        await File.WriteAllTextAsync(Path.Combine(InputDir, "text.mp4"), "this is not a video");
        await File.WriteAllBytesAsync(Path.Combine(InputDir, "zero.mp4"), []);

        var (exit, output) = await CliRunner.RunAsync("process", InputDir, OutputDir, "--type", "MER", "--concurrency", "2", "--evidence-only");

        Assert.Equal(1, exit);
        Assert.Contains("Total files attempted: 5", output);
        Assert.Contains("Failed: 3", output);
        Assert.Contains("zero.mp4", output);
        Assert.Contains("empty (0 bytes)", output);
        Assert.Contains("text.mp4", output);
        Assert.Contains("not a readable media file", output);
        Assert.Contains("truncated.mp4", output);

        var good = Path.Combine(OutputDir, "clip ünïcode with spaces");
        Assert.True(File.Exists(Path.Combine(good, "clip ünïcode with spaces.wav")));
        var media = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(good, "clip ünïcode with spaces_media.json"))).RootElement;
        Assert.True(media.GetProperty("HasAudio").GetBoolean());

        var silent = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(OutputDir, "silent_video", "silent_video_media.json"))).RootElement;
        Assert.False(silent.GetProperty("HasAudio").GetBoolean());
        Assert.False(File.Exists(Path.Combine(OutputDir, "silent_video", "silent_video.wav")));

        foreach (var bad in new[] { "zero", "text", "truncated" })
        {
            var log = await File.ReadAllTextAsync(Path.Combine(OutputDir, "error_logs", $"{bad}_error.log"));
            Assert.StartsWith($"Error processing video: {bad}\n====================\n{bad}.mp4:", log);
        }
        var summary = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(OutputDir, "run_summary.json"))).RootElement;
        Assert.Equal(2, summary.GetProperty("Succeeded").GetInt32());
    }

    [Fact]
    public async Task FilesSharingAStemGetSeparateOutputFolders()
    {
        Directory.CreateDirectory(Path.Combine(InputDir, "a"));
        Directory.CreateDirectory(Path.Combine(InputDir, "b"));
        File.Copy(SharedData.DataPath("speech", "jfk.wav"), Path.Combine(InputDir, "a", "talk.wav"));
        File.Copy(SharedData.DataPath("speech", "jfk.wav"), Path.Combine(InputDir, "b", "talk.WAV"));
        File.Copy(SharedData.DataPath("media", "pyfeat", "single_face.jpg"), Path.Combine(InputDir, "talk.JPG"));

        var (exit, output) = await CliRunner.RunAsync("process", InputDir, OutputDir, "-t", "audio", "--evidence-only");

        Assert.True(exit == 0, output);
        var folders = Directory.GetDirectories(OutputDir).Select(Path.GetFileName).Where(n => n is not "error_logs" and not ".merfactory").Order().ToList();
        // As the README says: colliding stems get their extension, colliding stem+extension their folder too.
        Assert.Equal(["a_talk_wav", "b_talk_wav", "talk_jpg"], folders);
        Assert.Contains("Total files attempted: 3", output);
    }

    [Fact]
    public async Task AFolderWithoutMediaIsAClearError()
    {
        await File.WriteAllTextAsync(Path.Combine(InputDir, "notes.txt"), "no media here");
        var (exit, output) = await CliRunner.RunAsync("process", InputDir, OutputDir);
        Assert.Equal(1, exit);
        Assert.Contains("No video, image, or audio files found", output);
    }

    [Fact]
    public async Task AnUnwritableOutputFolderIsAClearError()
    {
        File.Copy(SharedData.DataPath("speech", "jfk.wav"), Path.Combine(InputDir, "jfk.wav"));
        var blocker = Path.Combine(_work, "blocker");
        await File.WriteAllTextAsync(blocker, "a file where the output folder should be");
        var (exit, output) = await CliRunner.RunAsync("process", InputDir, Path.Combine(blocker, "out"));
        Assert.Equal(1, exit);
        Assert.Contains("cannot write to output folder", output);
    }

    [Theory]
    [InlineData("--threshold", "7", "--threshold must be between 0.0 and 5.0")]
    [InlineData("--peak_dis", "3", "--peak_dis must be at least 8")]
    [InlineData("--peak-dis", "3", "--peak_dis must be at least 8")]
    [InlineData("-c", "0", "--concurrency must be at least 1")]
    [InlineData("--type", "faces", "Invalid --type 'faces'")]
    [InlineData("-tk", "joy", "Invalid --task 'joy'")]
    [InlineData("--label-file", "/nonexistent/labels.csv", "does not exist")]
    public async Task InvalidOptionsAreRejectedWithAClearMessage(string option, string value, string expected)
    {
        File.Copy(SharedData.DataPath("speech", "jfk.wav"), Path.Combine(InputDir, "jfk.wav"));
        var (exit, output) = await CliRunner.RunAsync("process", InputDir, OutputDir, option, value);
        Assert.NotEqual(0, exit);
        Assert.Contains(expected, output);
    }

    [Fact]
    public async Task ASecondRunReusesEveryStepArtifact()
    {
        File.Copy(SharedData.DataPath("media", "pyfeat", "single_face.mp4"), Path.Combine(InputDir, "clip.mp4"));
        var first = await CliRunner.RunAsync("process", InputDir, OutputDir, "--evidence-only");
        Assert.True(first.ExitCode == 0, first.Output);
        var artifactsBefore = Directory.GetFiles(Path.Combine(OutputDir, ".merfactory"), "*", SearchOption.AllDirectories).Length;

        var second = await CliRunner.RunAsync("process", InputDir, OutputDir, "--evidence-only");

        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Contains("clip: probe (cached)", second.Output);
        Assert.Contains("clip: extract-audio (cached)", second.Output);
        Assert.Contains("clip: sample-frames (cached)", second.Output);
        // The AU CSV the first run wrote is reused as MER-Factory reuses an existing OpenFace CSV (issue 19): its one
        // content-addressed copy in the store is the only new file.
        var artifactsAfter = Directory.GetFiles(Path.Combine(OutputDir, ".merfactory"), "*", SearchOption.AllDirectories);
        Assert.Equal(artifactsBefore + 1, artifactsAfter.Length);
        Assert.Single(artifactsAfter, f => f.Contains("provided-au", StringComparison.Ordinal));
    }
}
