using System.Diagnostics;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using MerFactory.Llm.Tests.Fakes;
using MerFactory.Protos.Jobs;
using MerFactory.Testing;
using static MerFactory.Distributed.Tests.SecuredDeploymentFixture;

namespace MerFactory.Distributed.Tests;

/// <summary>
/// The job service is killed while a job's LLM step is in flight: the restarted service resumes the job from the
/// database, the client re-attaches by id, and the job completes with every output once and no LLM call made twice.
/// A finished job is still answered after another restart, and the CLI attaches to it by id.
/// </summary>
public sealed class JobServiceRestartTests(DistributedFixture fixture) : IClassFixture<DistributedFixture>, IAsyncLifetime, IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mf-restart-").FullName;
    private readonly FakeOpenAi _model = new() { ApiKey = null, Answer = InstructionFollowingModel.Create(), Latency = TimeSpan.FromSeconds(2) };

    public async Task InitializeAsync() => await _model.StartAsync();

    public async Task DisposeAsync() => await _model.DisposeAsync();

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task AJobWhoseServiceIsKilledMidStepCompletesAfterARestartWithNothingLostOrRepeated()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        using var services = PipelineServices.Start(fixture, _model);
        var (first, firstPort) = await StartJobServiceAsync();
        var firstCall = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _model.CallReceived += _ => firstCall.TrySetResult();

        string jobId;
        using (var channel = DistributedFixture.Channel(firstPort, DistributedFixture.AliceToken))
        {
            var jobs = JobsOf(channel);
            var submit = new SubmitJobRequest { OptionsJson = """{"type":"Image","concurrency":1}""" };
            foreach (var name in new[] { "single_face.jpg", "multi_face.jpg" })
                submit.Inputs.Add(new JobInput { RelativePath = name, Object = await UploadAsync(jobs, name, await File.ReadAllBytesAsync(SharedData.DataPath("media", "pyfeat", name)), cts.Token) });
            jobId = (await jobs.SubmitAsync(submit, cancellationToken: cts.Token)).JobId;
            // The model has the job's first LLM request (it answers after 2 s): the job service dies now, mid-step.
            await firstCall.Task.WaitAsync(cts.Token);
            first.Kill(entireProcessTree: true);
            await first.WaitForExitAsync(cts.Token);
            first.Dispose();
        }

        var (second, secondPort) = await StartJobServiceAsync();
        using (second)
        using (var channel = DistributedFixture.Channel(secondPort, DistributedFixture.AliceToken))
        {
            var jobs = JobsOf(channel);
            var events = new List<JobEvent>();
            using (var watch = jobs.Watch(new WatchJobRequest { JobId = jobId }, cancellationToken: cts.Token))
                await foreach (var e in watch.ResponseStream.ReadAllAsync(cts.Token)) events.Add(e);
            Assert.True(events[^1] is { State: "job-completed", FilesDone: 2, FilesFailed: 0 }, string.Join("\n", events.Select(e => $"{e.File} {e.Step} {e.State} {e.Message}")) + services.Logs());
            var outputs = (await jobs.ListOutputsAsync(new WatchJobRequest { JobId = jobId }, cancellationToken: cts.Token)).Outputs;
            Assert.Equal(outputs.Count, outputs.Select(o => o.RelativePath).Distinct().Count());
            Assert.Contains(outputs, o => o.RelativePath == "single_face/single_face_image_analysis.json");
            Assert.Contains(outputs, o => o.RelativePath == "multi_face/multi_face_image_analysis.json");
            // No LLM request reached the model twice, the one in flight at the kill included (the resumed job got its result
            // from the step, not from a second call); identical requests of two files share one call, so calls <= steps.
            var llmSteps = events.Where(e => e.Step.StartsWith("llm-", StringComparison.Ordinal) && e.State is "completed" or "cached")
                .Select(e => (e.File, e.Step)).Distinct().Count();
            var requests = _model.Calls.Select(c => string.Join("\u001f", c.Texts.Concat(c.Media.Select(m => m.Sha256)))).ToList();
            Assert.Equal(requests.Count, requests.Distinct().Count());
            Assert.InRange(requests.Count, 1, llmSteps);
        }

        // Another restart: the finished job is answered from the database, and the CLI attaches to it by id.
        var (third, thirdPort) = await StartJobServiceAsync();
        using (third)
        {
            using var channel = DistributedFixture.Channel(thirdPort, DistributedFixture.AliceToken);
            var status = await JobsOf(channel).GetStatusAsync(new WatchJobRequest { JobId = jobId }, cancellationToken: cts.Token);
            Assert.True(status is { Completed: true, FilesTotal: 2, FilesDone: 2, FilesFailed: 0 }, status.ToString());
            var input = Directory.CreateDirectory(Path.Combine(_work, "in")).FullName;
            File.Copy(SharedData.DataPath("media", "pyfeat", "single_face.jpg"), Path.Combine(input, "single_face.jpg"));
            var output = Path.Combine(_work, "out");
            var (exit, text) = await RemoteCliTests.RunCliAsync("process", input, output, "--server", $"http://127.0.0.1:{thirdPort}",
                "--token", DistributedFixture.AliceToken, "--attach", jobId);
            Assert.True(exit == 0, text);
            Assert.Contains($"Attaching to job {jobId}", text);
            Assert.True(File.Exists(Path.Combine(output, "multi_face", "multi_face_image_analysis.json")), text);
            Assert.True(File.Exists(Path.Combine(output, "single_face", "single_face_image_analysis.json")), text);
        }
    }

    private async Task<(Process Process, int Port)> StartJobServiceAsync()
    {
        var process = fixture.StartService("jobs", "MerFactory.JobApi.dll", DistributedFixture.UserCredentials(), out var port, out var log);
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
        try
        {
            var health = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), new CallOptions(deadline: DateTime.UtcNow.AddMinutes(2)).WithWaitForReady());
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        }
        catch (RpcException e)
        {
            throw new Xunit.Sdk.XunitException($"the job service did not start: {e.Status}\n{log}");
        }
        return (process, port);
    }
}
