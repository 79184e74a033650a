using System.Text.Json;
using MerFactory.Jobs.Steps;
using MerFactory.Pipeline.Orchestration;
using MerFactory.Testing;

namespace MerFactory.Cli.Tests;

/// <summary>The embedded mode (in-memory transport, one process): a job is one trace from the job down to every step.</summary>
public sealed class EmbeddedTraceTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mf-cli-trace-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task EveryStepManifestOfAJobCarriesTheTraceOfTheJobActivity()
    {
        var input = Path.Combine(_work, "in");
        Directory.CreateDirectory(input);
        // Two clips of different lengths: different content, so each file runs its own steps.
        foreach (var (name, seconds) in new[] { ("one", 1), ("two", 2) })
        {
            await CliRunner.FfmpegAsync("-f", "lavfi", "-i", $"testsrc=duration={seconds}:size=160x120:rate=10",
                "-f", "lavfi", "-i", $"sine=frequency=440:duration={seconds}", "-pix_fmt", "yuv420p", "-shortest", Path.Combine(input, name + ".mp4"));
        }
        var output = Path.Combine(_work, "out");
        using var recorder = new ActivityRecorder();

        var exit = await EmbeddedRun.RunAsync(new JobOptions { Type = ProcessingType.Video, Silent = true, Concurrency = 2 }, new MerFactory.Llm.Routing.LlmCliFlags(), input, output, evidenceOnly: true, CancellationToken.None);

        Assert.Equal(0, exit);
        var summary = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "run_summary.json"))).RootElement;
        var jobId = summary.GetProperty("JobId").GetGuid().ToString();
        var job = Assert.Single(recorder.Find(PipelineTelemetry.SourceName, PipelineTelemetry.JobActivity, PipelineTelemetry.JobIdTag, jobId));
        var trace = job.TraceId.ToHexString();
        Assert.Equal(trace, summary.GetProperty("TraceId").GetString());

        var files = recorder.Find(PipelineTelemetry.SourceName, PipelineTelemetry.FileActivity, PipelineTelemetry.JobIdTag, jobId);
        Assert.Equal(["one", "two"], files.Select(f => f.GetTagItem(PipelineTelemetry.FileIdTag) as string).Order());
        Assert.All(files, f => Assert.Equal(job.SpanId, f.ParentSpanId));

        var manifests = Directory.EnumerateFiles(Path.Combine(output, ".merfactory"), "manifest.json", SearchOption.AllDirectories)
            .Select(path => JsonSerializer.Deserialize<StepManifest<System.Text.Json.Nodes.JsonObject>>(File.ReadAllText(path), new JsonSerializerOptions(JsonSerializerDefaults.Web))!)
            .ToList();
        // The video steps of both files (transcripts included), and the LLM step that found no model (it still records its outcome).
        Assert.Equal(["extract-audio", "extract-audio", "llm", "llm", "probe", "probe", "sample-frames", "sample-frames", "transcribe", "transcribe"], manifests.Select(m => m.Step).Order());
        Assert.All(manifests, m => Assert.Equal(trace, m.TraceId));
    }
}
