using MerFactory.Dashboard.Runs;
using MerFactory.Llm.Routing;
using MerFactory.Pipeline.Orchestration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MerFactory.Cli;

/// <summary>
/// The dashboard's run builder: the same in-process pipeline as <c>merfactory process</c> (embedded), or, given a job API
/// (<c>--server</c>), a job run there as <c>merfactory process --server</c> runs it, its records downloaded into OUTPUT_DIR.
/// </summary>
internal sealed class DashboardRunLauncher(LlmCliFlags flags, string outputDir, RemoteServer? remote = null) : IRunLauncher
{
    public string Mode => remote is null ? "embedded" : "distributed";

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
        if (remote is not null) return await RunRemoteAsync(options with { LlmRoutes = RemoteRoutes.FromFlags(flags) }, inputPath, remote, observer, cancellationToken);
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

    /// <summary>The job's events as the page shows them; a run that could not be submitted or watched counts every file as failed.</summary>
    private async Task<int> RunRemoteAsync(JobOptions options, string inputPath, RemoteServer remote, IRunObserver observer, CancellationToken cancellationToken)
    {
        var started = 0;
        var failed = 0;
        var exit = await RemoteRun.RunAsync(options, inputPath, outputDir, remote.Url, remote.Token, null, cancellationToken, e =>
        {
            if (Interlocked.Exchange(ref started, 1) == 0) observer.JobStarted(e.FilesTotal);
            switch (e.State)
            {
                case "started" when e.Step.Length == 0: observer.FileStarted(e.File); break;
                case "completed" or "cached": observer.StepFinished(e.File, e.Step); break;
                case "failed": observer.StepFailed(e.File, e.Step, e.Message); break;
                case "file-completed": observer.FileFinished(e.File, "succeeded"); break;
                case "file-skipped": observer.FileFinished(e.File, "skipped"); break;
                case "file-failed":
                    Interlocked.Increment(ref failed);
                    observer.FileFinished(e.File, "failed");
                    break;
            }
        });
        if (exit != 0 && failed == 0) throw new InvalidOperationException($"the job on {remote.Url} did not run (see the dashboard's console)");
        return failed;
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

/// <summary>A deployment's job API and the token to call it with (<c>merfactory dashboard --server URL --token T</c>).</summary>
internal sealed record RemoteServer(string Url, string Token);
