using System.Text.Json;
using MerFactory.Evaluation.Synthetic;
using MerFactory.Llm.Tests.Fakes;
using MerFactory.Testing;

namespace MerFactory.Cli.Tests;

/// <summary><c>merfactory evaluate</c>, <c>process --evaluate</c> and the export filters, run as a user runs them.</summary>
public sealed class EvaluateCommandTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mf-cli-eval-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task EvaluateWritesEveryFileAndScoresLabelsFromTheLabelFile()
    {
        var output = Path.Combine(_work, "out");
        var records = new SyntheticDataset(21).Write(output, 12);
        var labels = Path.Combine(_work, "labels.csv");
        await File.WriteAllLinesAsync(labels, ["name,label", .. records.Select(r => $"{r.Id},happy")]);
        var html = Path.Combine(_work, "report.html");

        var (exit, log) = await CliRunner.RunAsync("evaluate", output, "--label-file", labels, "--html", html);

        Assert.True(exit == 0, log);
        Assert.Contains("Evaluated 12 records", log, StringComparison.Ordinal);
        Assert.True(File.Exists(html));
        Assert.True(File.Exists(Path.Combine(output, "evaluation.csv")));
        using var dataset = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "evaluation.json")));
        Assert.Equal(12, dataset.RootElement.GetProperty("records").GetArrayLength());
        Assert.Equal(JsonValueKind.Number, dataset.RootElement.GetProperty("summary").GetProperty("label_hit_rate").ValueKind);
        using var sidecar = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, records[0].Id, records[0].Id + "_eval.json")));
        Assert.Equal(JsonValueKind.Number, sidecar.RootElement.GetProperty("metrics").GetProperty("label_hit").ValueKind);

        var filtered = await CliRunner.RunAsync("export", "--output_folder", output, "--file_type", "mer", "--export_csv", "--export_format", "none",
            "--export_path", Path.Combine(_work, "export"), "--min-score", "101");
        Assert.NotEqual(0, filtered.ExitCode); // 101 is out of range
        var export = await CliRunner.RunAsync("export", "--output_folder", output, "--file_type", "mer", "--export_csv", "--export_format", "none",
            "--export_path", Path.Combine(_work, "export"), "--exclude-flag", "unsupported_au", "--exclude-flag", "time_out_of_range");
        Assert.True(export.ExitCode == 0, export.Output);
        Assert.Contains("left out by the evaluation filters", export.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EvaluateRefusesAFolderThatDoesNotExist()
    {
        var (exit, log) = await CliRunner.RunAsync("evaluate", Path.Combine(_work, "missing"));
        Assert.NotEqual(0, exit);
        Assert.Contains("does not exist", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProcessWithEvaluateWritesTheSidecarOfEachRecordAndTheDatasetFiles()
    {
        await using var model = new FakeOpenAi { ApiKey = null, Answer = InstructionFollowingModel.Create() };
        await model.StartAsync();
        var input = Directory.CreateDirectory(Path.Combine(_work, "in")).FullName;
        File.Copy(SharedData.DataPath("speech", "jfk.wav"), Path.Combine(input, "jfk.wav"));
        var output = Path.Combine(_work, "out");

        var (exit, log) = await CliRunner.RunAsync("process", input, output, "--evaluate", "--chatgpt-model", "gpt-4o",
            "--openai-base-url", new Uri(model.BaseUrl, "v1").ToString(), "--model-capabilities", "text,image");

        Assert.True(exit == 0, log);
        var sidecar = Path.Combine(output, "jfk", "jfk_eval.json");
        using var evaluation = JsonDocument.Parse(await File.ReadAllTextAsync(sidecar));
        Assert.Equal("audio", evaluation.RootElement.GetProperty("kind").GetString());
        // The audio record has our transcript, so the speech metrics ran on it (a value, or null with a reason).
        var metrics = evaluation.RootElement.GetProperty("metrics");
        var reasons = evaluation.RootElement.GetProperty("reasons");
        foreach (var metric in metrics.EnumerateObject())
            Assert.True(metric.Value.ValueKind == JsonValueKind.Number || reasons.TryGetProperty(metric.Name, out _), metric.Name);
        Assert.NotEqual("no jfk_transcript.json (no audio track, or not a run with audio)", reasons.TryGetProperty("tone_support_rate", out var r) ? r.GetString() : null);
        Assert.True(File.Exists(Path.Combine(output, "evaluation.json")));
        Assert.True(File.Exists(Path.Combine(output, "evaluation.html")));
        Assert.Contains("Evaluated 1 records", log, StringComparison.Ordinal);
    }
}
