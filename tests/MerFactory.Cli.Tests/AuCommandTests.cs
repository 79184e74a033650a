using MerFactory.AuEngine.Models;
using MerFactory.AuEngine.Pipeline;
using MerFactory.Testing;

namespace MerFactory.Cli.Tests;

/// <summary><c>merfactory au INPUT CSV</c>: the engine's OpenFace CSV of one file, as OpenFace's FeatureExtraction writes it.</summary>
public sealed class AuCommandTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mf-cli-au-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task A_video_gives_the_engines_own_csv_with_landmarks_and_pose()
    {
        var clip = SharedData.DataPath("media", "pyfeat", "single_face.mp4");
        var csv = Path.Combine(_work, "single_face.csv");
        var (exit, output) = await CliRunner.RunAsync("au", clip, csv, "--landmarks", "dlib");
        Assert.True(exit == 0, output);
        Assert.Contains("72 row(s)", output, StringComparison.Ordinal);

        // The same engine in this process, with the same models and options, writes the same bytes.
        var models = new AuModelOptions { ModelsDirectory = SharedData.Data, YuNetModelPath = Path.Combine("models", AuModelOptions.YuNetFileName) };
        using var engine = ActionUnitEngine.Create(models, new AuEngineOptions { Landmarks = LandmarkMethod.Dlib });
        using var expected = new StringWriter();
        await engine.WriteOpenFaceCsvAsync(engine.AnalyzeVideoAsync(clip, new AuRunOptions { IncludeLandmarks = true }), expected, landmarkColumns: true);
        Assert.Equal(expected.ToString(), await File.ReadAllTextAsync(csv));
        var header = File.ReadLines(csv).First().Split(", ");
        Assert.Contains("AU12_r", header);
        Assert.Contains("x_67", header);
        Assert.Contains("pose_Rx", header);
        Assert.Empty(Directory.GetFiles(_work, "*.partial"));
    }

    [Fact]
    public async Task An_existing_csv_is_replaced_by_a_photo_s_row()
    {
        var csv = Path.Combine(_work, "photo.csv");
        await File.WriteAllTextAsync(csv, "an older file");
        var (exit, output) = await CliRunner.RunAsync("au", SharedData.DataPath("media", "pyfeat", "single_face.jpg"), csv);
        Assert.True(exit == 0, output);
        var lines = File.ReadAllLines(csv);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("1, 0, 0", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_that_is_no_video_fails_naming_it_and_leaves_no_csv()
    {
        var notVideo = Path.Combine(_work, "notes.mp4");
        await File.WriteAllTextAsync(notVideo, "not a video");
        var csv = Path.Combine(_work, "notes.csv");
        var (exit, output) = await CliRunner.RunAsync("au", notVideo, csv);
        Assert.Equal(1, exit);
        Assert.Contains(notVideo, output, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_work, "*.csv*"));
    }

    [Fact]
    public async Task Missing_models_name_the_install_command()
    {
        var empty = Directory.CreateDirectory(Path.Combine(_work, "no-models")).FullName;
        var csv = Path.Combine(_work, "photo.csv");
        var (exit, output) = await CliRunner.RunAsync(new Dictionary<string, string> { ["AuModels__ModelsDirectory"] = empty },
            "au", SharedData.DataPath("media", "pyfeat", "single_face.jpg"), csv);
        Assert.Equal(1, exit);
        Assert.Contains("merfactory models install", System.Text.RegularExpressions.Regex.Replace(output, @"\s+", " "), StringComparison.Ordinal);
        Assert.False(File.Exists(csv));
    }
}
