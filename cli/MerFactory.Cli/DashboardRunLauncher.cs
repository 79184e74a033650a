using MerFactory.Dashboard.Runs;
using MerFactory.JobClient;
using MerFactory.Llm.Routing;
using MerFactory.Pipeline.Orchestration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MerFactory.Cli;

/// <summary>
/// The dashboard's run builder: the same in-process pipeline as <c>merfactory process</c> (embedded), or, given a job API
/// (<c>--server</c>), the job API's launcher (<see cref="JobApiRunLauncher"/>), its records downloaded into OUTPUT_DIR.
/// </summary>
internal sealed class DashboardRunLauncher(LlmCliFlags flags, string outputDir, JobApiServer? remote = null) : IRunLauncher
{
    private readonly JobApiRunLauncher? _remote = remote is null ? null
        : new JobApiRunLauncher(remote, outputDir, options => WithModels(options, flags) with { LlmRoutes = RemoteRoutes.FromFlags(flags) });

    public string Mode => _remote?.Mode ?? "embedded";

    public async Task<int> RunAsync(RunRequest request, string inputPath, string? promptsJson, IRunObserver observer, CancellationToken cancellationToken)
    {
        if (_remote is not null) return await _remote.RunAsync(request, inputPath, promptsJson, observer, cancellationToken);
        var options = WithModels(RunRequestOptions.For(request, promptsJson), flags);
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

    private static JobOptions WithModels(JobOptions options, LlmCliFlags flags) => options with
    {
        ChatGptModel = flags.ChatGptModel,
        OllamaVisionModel = flags.OllamaVisionModel,
        OllamaTextModel = flags.OllamaTextModel,
        HuggingFaceModel = flags.HuggingFaceModel,
    };

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
