using MerFactory.Contracts;
using MerFactory.GateAgent;
using MerFactory.GateAgent.Tools;
using MerFactory.Pipeline.Orchestration;
using MerFactory.Steps;
using MerFactory.Steps.Media;
using MerFactory.Storage;
using MerFactory.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace MerFactory.Pipeline.Tests;

/// <summary>The gate agent's media tools run as media steps: same answers as ffmpeg on a local file, cached like any step.</summary>
public sealed class GateMediaStepTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("mf-gate-media-").FullName;
    private InMemoryStepHost _host = null!;

    public async Task InitializeAsync() => _host = await InMemoryStepHost.StartAsync(Path.Combine(_root, "store"), services =>
    {
        services.AddMediaSteps();
        services.AddStepMessaging(new Jobs.Messaging.MessagingOptions { Transport = "InMemory", RetryLimit = 0 });
        services.AddJobOrchestration();
    });

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Theory]
    [InlineData(MediaMetricsTool.ToolName)]
    [InlineData(VideoMotionTool.ToolName)]
    [InlineData(SubtitlesTool.ToolName)]
    public async Task AMediaToolAnswersThroughItsStepAsItDoesOnALocalFile(string toolName)
    {
        var clip = SharedData.DataPath("media", "pyfeat", "single_face.mp4");
        var local = Path.Combine(_root, "clip.mp4");
        File.Copy(clip, local);
        var source = await _host.Services.GetRequiredService<InputStager>().StageAsync(clip, CancellationToken.None);
        var store = _host.Services.GetRequiredService<IObjectStore>();
        var job = new JobContext(Guid.NewGuid(), new JobOptions(), new OutputFolder(Path.Combine(_root, "out")), store, new CompositeJobProgress());
        var run = new FileRun(new InputFile(local, "clip.mp4", MediaKind.Video, "clip"), source, job);
        var steps = new FileSteps(_host.Services.GetRequiredService<StepRunner>(), run);
        IGateTool tool = toolName switch
        {
            MediaMetricsTool.ToolName => new MediaMetricsTool(),
            VideoMotionTool.ToolName => new VideoMotionTool(),
            _ => new SubtitlesTool(),
        };

        var viaStep = await tool.RunAsync(GateToolArguments.Empty, Context(new StepGateMedia(steps, source, wav: null)), CancellationToken.None);
        var again = await tool.RunAsync(GateToolArguments.Empty, Context(new StepGateMedia(steps, source, wav: null)), CancellationToken.None);
        var here = await tool.RunAsync(GateToolArguments.Empty, new GateToolContext(Input(null) with { MediaPath = local }, new GateOptions()), CancellationToken.None);

        Assert.Equal(here, viaStep); // both name the file clip.mp4
        Assert.Equal(viaStep, again);
        var records = run.Document(ProcessingType.MER).Steps;
        Assert.Equal(["completed", "cached"], records.Where(r => r.Step == "measure-media").Select(r => r.Status));
        var manifests = new List<string>();
        await foreach (var o in store.ListAsync("artifacts/measure-media/")) manifests.Add(o.Key);
        Assert.Single(manifests, k => k.EndsWith("/manifest.json", StringComparison.Ordinal));
    }

    [Fact]
    public void WithoutAWavTheLoudnessToolSaysSoAndOffersTheVideo()
    {
        var media = new StepGateMedia(null!, new ObjectReference("b", "inputs/x.mp4", 1, "x"), wav: null);
        var error = Assert.Throws<GateToolException>(() => media.Require(GateMediaSource.Audio, "extracted audio (WAV)", "; use source \"video\""));
        Assert.Equal("this sample has no extracted audio (WAV); use source \"video\".", error.Message);
        Assert.True(media.Has(GateMediaSource.Media));
    }

    private static GateToolContext Context(IGateMedia media) => new(Input(media), new GateOptions());

    private static GateInput Input(IGateMedia? media) => new()
    {
        SampleId = "clip",
        Evidence = new GateEvidence { AudioAnalysis = "", VideoDescription = "", PeakFrameDescription = "", PeakFrameAuDescription = "", DetectedEmotions = [] },
        Media = media,
    };
}
