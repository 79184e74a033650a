using System.Text.Json;
using MerFactory.Contracts;
using MerFactory.Contracts.Media;
using MerFactory.Llm.Tests.Fakes;
using MerFactory.Pipeline.Orchestration;
using MerFactory.Storage;
using MerFactory.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit.Abstractions;
using MerFactory.Steps;

namespace MerFactory.Distributed.Tests;

/// <summary>
/// A MER job (a video, an image and a speech clip) run by an orchestrator over the real services, interrupted midway:
/// no finished LLM step is asked of the model again, and every output is there once.
/// </summary>
public abstract class ResumeTestBase(DistributedFixture fixture, ITestOutputHelper log) : IAsyncLifetime, IDisposable
{
    /// <summary>The model request at which the run is interrupted (of eight: four for the video, three for the image, one for the audio).</summary>
    protected const int InterruptAt = 4;

    private readonly string _work = Directory.CreateTempSubdirectory("mf-dist-resume-").FullName;

    protected DistributedFixture Fixture => fixture;
    protected FakeOpenAi Model { get; } = new() { ApiKey = null };
    protected string InputDir => Path.Combine(_work, "in");
    protected string OutputDir(string name) => Path.Combine(_work, name);

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(InputDir);
        File.Copy(SharedData.DataPath("media", "pyfeat", "single_face.mp4"), Path.Combine(InputDir, "clip.mp4"));
        File.Copy(SharedData.DataPath("media", "pyfeat", "single_face.jpg"), Path.Combine(InputDir, "face.jpg"));
        File.Copy(SharedData.DataPath("speech", "jfk.wav"), Path.Combine(InputDir, "jfk.wav"));
        await Model.StartAsync();
    }

    public async Task DisposeAsync() => await Model.DisposeAsync();

    public void Dispose() => Directory.Delete(_work, recursive: true);

    protected static JobOptions Options => new() { Type = ProcessingType.MER, Cache = true, Concurrency = 3 };

    /// <summary>Starts the job on the orchestrator; it runs until every file is done.</summary>
    protected Task<RunSummary> RunAsync(IHost orchestrator, string output, IJobProgress progress) =>
        orchestrator.Services.GetRequiredService<JobRunner>().RunAsync(InputDiscovery.Discover(InputDir), Options, new OutputFolder(OutputDir(output)), progress, CancellationToken.None);

    protected static async Task WaitForInterruptionPointAsync(LlmRequestLog requests, Task<RunSummary> job, PipelineServices services)
    {
        var first = await Task.WhenAny(requests.Interrupt.Task, job).WaitAsync(TimeSpan.FromMinutes(6));
        if (first != job) return;
        var summary = await job;
        throw new Xunit.Sdk.XunitException($"the job ended before the interruption point ({requests.Signatures.Count} model requests): "
            + string.Join("; ", summary.Files.Select(f => $"{f.Id} {f.Status} {f.Error}")) + "\n" + services.Logs());
    }

    /// <summary>
    /// The job completed, only the requests in flight at the interruption reached the model twice, every record is
    /// valid, and each model answer was committed once as an LLM step (none lost, none duplicated).
    /// </summary>
    /// <param name="inFlightAnswerLost">The interruption certainly lost the answers in flight (a killed process); else they may have arrived.</param>
    protected async Task AssertResumedCleanlyAsync(RunSummary summary, LlmRequestLog requests, string output, bool inFlightAnswerLost, string logs)
    {
        Assert.True(summary.Failed == 0 && summary.Succeeded == 3,
            string.Join("\n", summary.Files.Select(f => $"{f.Id}: {f.Status} {f.Error}")) + "\n" + logs);
        var held = requests.Held;
        log.WriteLine($"{requests.Signatures.Count} model requests, {held.Count} in flight at the interruption");
        Assert.NotEmpty(held);
        var counts = requests.Signatures.GroupBy(s => s).ToDictionary(g => g.Key, g => g.Count());
        var repeatedFinished = counts.Where(c => c.Value > 1 && !held.Contains(c.Key)).Select(c => c.Key[..Math.Min(120, c.Key.Length)]).ToList();
        Assert.True(repeatedFinished.Count == 0, "requests of finished steps were sent again:\n" + string.Join("\n", repeatedFinished));
        // What was in flight was asked again at most once more (redelivered, or asked again by the orchestrator, the work
        // runs once); when its answer died with the process, it had to be.
        Assert.All(held, h => Assert.InRange(counts[h], inFlightAnswerLost ? 2 : 1, 2));
        Assert.Equal(8, counts.Count);

        string Out(string id, string suffix) => Path.Combine(OutputDir(output), id, id + suffix);
        OutputSchemas.AssertValidFile("merr_data", Out("clip", "_merr_data.json"));
        OutputSchemas.AssertValidFile("image_analysis", Out("face", "_image_analysis.json"));
        OutputSchemas.AssertValidFile("audio_analysis", Out("jfk", "_audio_analysis.json"));
        Assert.Empty(Directory.GetFiles(OutputDir(output), "*.partial", SearchOption.AllDirectories));

        using var store = Fixture.CreateStore();
        var llmSteps = new List<string>();
        await foreach (var o in store.ListAsync("artifacts/llm/"))
            if (o.Key.EndsWith("/manifest.json", StringComparison.Ordinal)) llmSteps.Add(o.Key);
        Assert.Equal(counts.Count, llmSteps.Count);
    }

    /// <summary>A second run of the same job into a new folder is answered from the committed steps: the model hears nothing.</summary>
    protected async Task AssertRerunAsksNothingAsync(IHost orchestrator, LlmRequestLog requests)
    {
        var before = requests.Signatures.Count;
        var again = await RunAsync(orchestrator, "out-again", new CompositeJobProgress()).WaitAsync(TimeSpan.FromMinutes(5));
        Assert.Equal(3, again.Succeeded);
        Assert.Equal(before, requests.Signatures.Count);
        var steps = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(OutputDir("out-again"), "clip", "clip_steps.json"))).RootElement.GetProperty("Steps");
        Assert.All(steps.EnumerateArray(), s => Assert.Equal("cached", s.GetProperty("Status").GetString()));
    }
}

public sealed class LlmGatewayKilledMidJobTests(DistributedFixture fixture, ITestOutputHelper output) : ResumeTestBase(fixture, output), IClassFixture<DistributedFixture>
{
    [Fact]
    public async Task AJobWhoseLlmGatewayIsKilledMidwayCompletesWithoutAskingAFinishedStepAgain()
    {
        var requests = new LlmRequestLog(Model, InterruptAt, InstructionFollowingModel.Create());
        using var services = PipelineServices.Start(Fixture, Model);
        using var orchestrator = await Fixture.StartClientAsync();
        var job = RunAsync(orchestrator, "out", requests);

        // The 4th model request is held unanswered; once the three before it have finished, the gateway dies with it in flight.
        await WaitForInterruptionPointAsync(requests, job, services);
        await services.KillLlmGatewayAsync();
        requests.Release();
        services.StartLlmGateway();

        var summary = await job.WaitAsync(TimeSpan.FromMinutes(6));
        await AssertResumedCleanlyAsync(summary, requests, "out", inFlightAnswerLost: true, services.Logs());
        await AssertRerunAsksNothingAsync(orchestrator, requests);
        await orchestrator.StopAsync();
    }
}

/// <summary>A <see cref="DistributedFixture"/> on a broker of its own, which its tests may stop and restart.</summary>
public sealed class DedicatedBrokerFixture : DistributedFixture
{
    public LocalRabbitMq Broker { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        Broker = await LocalRabbitMq.StartAsync();
        RabbitMq = Broker.ConnectionString;
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Broker.DisposeAsync();
    }
}

public sealed class BrokerRestartedMidJobTests(DedicatedBrokerFixture fixture, ITestOutputHelper output) : ResumeTestBase(fixture, output), IClassFixture<DedicatedBrokerFixture>
{
    [Fact]
    public async Task AJobWhoseBrokerIsStoppedAndRestartedMidwayCompletesWithoutAskingAFinishedStepAgain()
    {
        var requests = new LlmRequestLog(Model, InterruptAt, InstructionFollowingModel.Create());
        using var services = PipelineServices.Start(Fixture, Model);
        using var orchestrator = await Fixture.StartClientAsync();
        var job = RunAsync(orchestrator, "out", requests);

        // The 4th model request is held unanswered; once the three before it have finished, the broker goes down under
        // every process (the held step and whatever else is in flight), comes back, and only then the model answers.
        using var store = Fixture.CreateStore();
        var clip = await UploadAsync(store, Path.Combine(InputDir, "clip.mp4"));
        await WaitForInterruptionPointAsync(requests, job, services);
        await fixture.Broker.StopAsync();
        // A step request the orchestrator sends while the broker is down (the job probed this clip already).
        var sentDuringOutage = orchestrator.Services.GetRequiredService<StepClient>().RequestAsync(new ProbeMedia(Guid.NewGuid(), "clip", clip), CancellationToken.None);
        await fixture.Broker.StartServerAsync();
        requests.Release();

        var summary = await job.WaitAsync(TimeSpan.FromMinutes(6));
        var logs = services.Logs() + "\n--- broker ---\n" + fixture.Broker.Log;
        await AssertResumedCleanlyAsync(summary, requests, "out", inFlightAnswerLost: false, logs);
        Assert.True((await sentDuringOutage.WaitAsync(TimeSpan.FromMinutes(2))).FromCache);
        await AssertRerunAsksNothingAsync(orchestrator, requests);
        await orchestrator.StopAsync();
    }

    private static async Task<ObjectReference> UploadAsync(IObjectStore store, string path)
    {
        await using var file = File.OpenRead(path);
        var info = await store.PutAsync($"inputs/{Guid.NewGuid():N}{Path.GetExtension(path)}", file);
        return new ObjectReference(store.Bucket, info.Key, info.Size, info.Sha256!);
    }
}
