using System.Text.Json;
using MerFactory.Jobs.Steps;
using MerFactory.Pipeline.Orchestration;
using MerFactory.Storage;
using MerFactory.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace MerFactory.Distributed.Tests;

/// <summary>A job is one trace across services: the orchestrator's job activity, and every step wherever it ran.</summary>
public sealed class JobTraceAcrossServicesTests(DistributedFixture fixture) : IClassFixture<DistributedFixture>, IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mf-dist-trace-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task EveryStepManifestOfAJobRunAcrossTwoServiceProcessesCarriesTheJobsTrace()
    {
        var input = Path.Combine(_work, "in");
        Directory.CreateDirectory(input);
        File.Copy(SharedData.DataPath("media", "openface_samples", "default.wmv"), Path.Combine(input, "default.wmv"));
        using var recorder = new ActivityRecorder();
        // Media steps run in media-extract, the AU steps in au-service; this process only orchestrates.
        using var media = fixture.StartMediaExtract(out _, out var mediaLog);
        using var au = fixture.StartService("au-service", "MerFactory.AuService.dll", out _, out var auLog, new Dictionary<string, string>
        {
            ["AuModels__ModelsDirectory"] = SharedData.Data,
            ["AuModels__YuNetModelPath"] = Path.Combine("models", "face_detection_yunet_2026may.onnx"),
        });
        try
        {
            using var orchestrator = await fixture.StartClientAsync();
            var jobId = Guid.NewGuid();

            var summary = await orchestrator.Services.GetRequiredService<JobRunner>().RunAsync(InputDiscovery.Discover(input),
                new JobOptions { Type = ProcessingType.AU }, new OutputFolder(Path.Combine(_work, "out")), new CompositeJobProgress(), CancellationToken.None, jobId);

            Assert.True(summary.Succeeded == 1, $"{summary.Files[0].Error}\nmedia-extract:\n{mediaLog}\nau-service:\n{auLog}");
            var job = Assert.Single(recorder.Find(PipelineTelemetry.SourceName, PipelineTelemetry.JobActivity, PipelineTelemetry.JobIdTag, jobId.ToString()));
            var trace = job.TraceId.ToHexString();
            Assert.Equal(trace, summary.TraceId);

            // The fixture's bucket is this test's own: every manifest in it is one of this job's steps.
            using var store = fixture.CreateStore();
            var manifests = new List<StepManifest<System.Text.Json.Nodes.JsonObject>>();
            await foreach (var o in store.ListAsync("artifacts/"))
            {
                if (!o.Key.EndsWith("/manifest.json", StringComparison.Ordinal)) continue;
                await using var stream = await store.OpenReadAsync(o.Key);
                manifests.Add((await JsonSerializer.DeserializeAsync<StepManifest<System.Text.Json.Nodes.JsonObject>>(stream, new JsonSerializerOptions(JsonSerializerDefaults.Web)))!);
            }
            Assert.Equal(["au-extract", "facs-analysis", "probe"], manifests.Select(m => m.Step).Order());
            Assert.All(manifests, m => Assert.Equal(trace, m.TraceId));
            await orchestrator.StopAsync();
        }
        finally
        {
            media.Kill(entireProcessTree: true);
            au.Kill(entireProcessTree: true);
        }
    }
}
