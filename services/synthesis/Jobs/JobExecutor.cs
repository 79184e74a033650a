using MerFactory.Contracts;
using MerFactory.Pipeline.Orchestration;
using MerFactory.Protos.Jobs;
using MerFactory.Storage;
using ProtoRef = MerFactory.Protos.Common.ObjectRef;

namespace MerFactory.Synthesis.Jobs;

/// <summary>
/// Runs a submitted job with the same <see cref="JobRunner"/> as the CLI: steps go to the services over the
/// bus, and the OUTPUT folder the runner writes is then published to the store under <c>jobs/{id}/output/</c>.
/// </summary>
public sealed partial class JobExecutor(JobRunner runner, IObjectStore store, JobRegistry registry, ILogger<JobExecutor> logger)
{
    public JobState Start(string jobId, IReadOnlyList<InputFile> inputs, IReadOnlyDictionary<string, ObjectReference> staged, JobOptions options)
    {
        var state = registry.Create(jobId, inputs.Count);
        _ = Task.Run(() => RunAsync(jobId, inputs, staged, options, state));
        return state;
    }

    private async Task RunAsync(string jobId, IReadOnlyList<InputFile> inputs, IReadOnlyDictionary<string, ObjectReference> staged, JobOptions options, JobState state)
    {
        var folder = Path.Combine(Path.GetTempPath(), "merfactory-jobs", jobId);
        var outputs = new List<JobOutput>();
        string? error = null;
        try
        {
            var output = new OutputFolder(folder);
            await runner.RunAsync(inputs, options, output, state, CancellationToken.None, Guid.Parse(jobId), staged);
            foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                var relative = Path.GetRelativePath(folder, file).Replace('\\', '/');
                if (relative.StartsWith(".merfactory/", StringComparison.Ordinal)) continue;
                await using var stream = File.OpenRead(file);
                var info = await store.PutAsync($"jobs/{jobId}/output/{relative}", stream);
                outputs.Add(new JobOutput { RelativePath = relative, Object = new ProtoRef { Bucket = store.Bucket, Key = info.Key, Size = info.Size, Sha256 = info.Sha256 ?? "" } });
            }
        }
        catch (Exception e)
        {
            error = $"job failed: {e.Message}";
            LogJobFailed(logger, jobId, e);
        }
        finally
        {
            state.Complete(outputs, error);
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {JobId} failed")]
    private static partial void LogJobFailed(ILogger logger, string jobId, Exception exception);
}
