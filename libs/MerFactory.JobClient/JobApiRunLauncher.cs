using MerFactory.Dashboard.Runs;
using MerFactory.Pipeline.Orchestration;
using MerFactory.Protos.Jobs;
using MerFactory.Storage;

namespace MerFactory.JobClient;

/// <summary>A deployment's job API and the token to call it with.</summary>
public sealed record JobApiServer(string Url, string Token);

/// <summary>
/// Where the records of a run go when the dataset lives in the deployment's object store (the AppHost's dashboard): the
/// job's outputs are added to the dataset under <paramref name="Prefix"/> by reference (a manifest of the objects the
/// job API named, <see cref="DatasetReferences"/>), never downloaded and stored again.
/// </summary>
public sealed record StoreDestination(IObjectStore Store, string Prefix);

/// <summary>
/// The dashboard's run builder in distributed mode: the form's job runs on the job API exactly as
/// <c>merfactory process --server</c> runs it (<see cref="RemoteRun"/>), its events shown as progress. The records go into
/// the dataset's folder (<c>merfactory dashboard --server</c>) or, given a <see cref="StoreDestination"/>, into the dataset
/// in the store, by reference.
/// </summary>
public sealed class JobApiRunLauncher(JobApiServer server, string? outputDir, Func<JobOptions, JobOptions>? withModels = null, StoreDestination? store = null)
    : IRunLauncher
{
    public string Mode => "distributed";

    public async Task<int> RunAsync(RunRequest request, string inputPath, string? promptsJson, IRunObserver observer, CancellationToken cancellationToken)
    {
        var options = RunRequestOptions.For(request, promptsJson);
        if (withModels is not null) options = withModels(options);
        if (store is null)
            return await RunAsync(options, inputPath, outputDir ?? throw new InvalidOperationException("no output folder for the run's records"), observer, cancellationToken);

        var scratch = Directory.CreateTempSubdirectory("merfactory-dashboard-run-").FullName;
        try
        {
            // The records name where they are kept: the dataset's place in the store, not the scratch folder.
            options = options with { ClientOutputRoot = store.Prefix.TrimEnd('/') };
            return await RunAsync(options, inputPath, scratch, observer, cancellationToken, (jobId, outputs, ct) =>
                DatasetReferences.PutAsync(store.Store, store.Prefix, jobId,
                    outputs.Select(o => new ReferencedFile(o.RelativePath, o.Object.Key, o.Object.Size, o.Object.Sha256)), ct));
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    /// <summary>The job's events as the page shows them; a run that could not be submitted or watched counts every file as failed.</summary>
    private async Task<int> RunAsync(JobOptions options, string inputPath, string outputPath, IRunObserver observer, CancellationToken cancellationToken, Func<string, IReadOnlyList<JobOutput>, CancellationToken, Task>? keepByReference = null)
    {
        var started = 0;
        var failed = 0;
        var exit = await RemoteRun.RunAsync(options, inputPath, outputPath, server.Url, server.Token, null, cancellationToken, e =>
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
        }, keepByReference);
        if (exit != 0 && failed == 0) throw new InvalidOperationException($"the job on {server.Url} did not run (see the dashboard's console)");
        return failed;
    }
}
