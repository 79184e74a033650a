using MerFactory.Dashboard.Runs;
using MerFactory.Llm.Routing;
using MerFactory.Pipeline.Orchestration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MerFactory.Cli;

/// <summary>The dashboard's run builder in the embedded mode: the same in-process pipeline as <c>merfactory process</c>.</summary>
internal sealed class DashboardRunLauncher(LlmCliFlags flags, string outputDir) : IRunLauncher
{
    public string Mode => "embedded";

    public async Task<int> RunAsync(RunRequest request, string inputPath, string? promptsJson, IRunObserver observer, CancellationToken cancellationToken)
    {
        var options = new JobOptions
        {
            Type = ProcessCommand.ParseType(request.Type) ?? throw new ArgumentException($"unknown type '{request.Type}'"),
            Task = ProcessCommand.ParseTask(request.Task) ?? throw new ArgumentException($"unknown task '{request.Task}'"),
            Threshold = request.Threshold,
            PeakDistance = request.PeakDistance,
            Concurrency = request.Concurrency,
            Cache = request.Cache,
            UseGateAgent = request.UseGateAgent,
            Silent = true,
            ChatGptModel = flags.ChatGptModel,
            OllamaVisionModel = flags.OllamaVisionModel,
            OllamaTextModel = flags.OllamaTextModel,
            HuggingFaceModel = flags.HuggingFaceModel,
            PromptsJson = promptsJson,
        };
        var output = new OutputFolder(outputDir);
        var inputs = InputDiscovery.Discover(inputPath);
        using var runLock = output.AcquireRunLock();
        output.RemoveLeftovers();
        using var host = EmbeddedRun.BuildHost(options, flags, output, inputs);
        await host.StartAsync(cancellationToken);
        try
        {
            var summary = await host.Services.GetRequiredService<JobRunner>().RunAsync(inputs, options, output, new ObserverProgress(observer), cancellationToken);
            return summary.Failed;
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }

    private sealed class ObserverProgress(IRunObserver observer) : IJobProgress
    {
        public void JobStarted(int files) => observer.JobStarted(files);
        public void FileStarted(string fileId) => observer.FileStarted(fileId);
        public void StepStarted(string fileId, string step) { }
        public void StepFinished(string fileId, string step, bool fromCache) => observer.StepFinished(fileId, step);
        public void StepFailed(string fileId, string step, string message) => observer.StepFailed(fileId, step, message);
        public void FileFinished(string fileId, FileOutcome outcome) => observer.FileFinished(fileId, outcome.Status.ToString().ToLowerInvariant());
    }
}
