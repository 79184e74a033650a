using System.Collections.Concurrent;
using System.Text.Json;
using MerFactory.Contracts;
using MerFactory.Pipeline.Orchestration;
using MerFactory.Protos.Jobs;
using MerFactory.Storage;

namespace MerFactory.JobApi.Jobs;

/// <summary>
/// Runs a submitted job with the same <see cref="JobRunner"/> as the CLI: steps go to the services over the bus, and
/// the job's outputs are published as references (<see cref="OutputPublisher"/>: step artifacts as they are, the files
/// only the job writes once under <c>jobs/{owner}/{id}/output/</c>): each file's as soon as the file finishes (a
/// <c>file-outputs</c> event names the objects, so clients download while the job goes on), the rest at the end.
/// </summary>
public sealed partial class JobExecutor(JobRunner runner, IObjectStore objects, JobStore store, JobRegistry registry, ILogger<JobExecutor> logger)
{
    /// <summary>Records the job in the database, then runs it in the background.</summary>
    public async Task<JobState> StartAsync(string jobId, string owner, IReadOnlyList<InputFile> inputs, IReadOnlyDictionary<string, ObjectReference> staged,
        JobOptions options, CancellationToken cancellationToken)
    {
        await store.AddAsync(new JobRow
        {
            Id = Guid.Parse(jobId), Owner = owner, SubmittedAt = DateTimeOffset.UtcNow, FilesTotal = inputs.Count,
            OptionsJson = JobOptionsJson.Serialize(options),
            InputsJson = JsonSerializer.Serialize(inputs.Select(i => new SubmittedInput(i.RelativePath, staged.GetValueOrDefault(i.Id))).ToList()),
        }, cancellationToken);
        var state = registry.Create(jobId, owner, inputs.Count);
        _ = Task.Run(() => RunAsync(jobId, inputs, staged, options, state));
        return state;
    }

    /// <summary>
    /// Runs an unfinished job again (this process started after the one running it stopped). Steps committed before
    /// answer from their manifests, so no step, LLM calls included, is done twice; the outputs are published again
    /// under the same keys.
    /// </summary>
    public async Task ResumeAsync(JobRow job, CancellationToken cancellationToken)
    {
        var submitted = JsonSerializer.Deserialize<List<SubmittedInput>>(job.InputsJson) ?? [];
        var inputs = InputDiscovery.FromRelativePaths(submitted.Select(i => i.RelativePath));
        var byPath = submitted.Where(i => i.Object is not null).ToDictionary(i => i.RelativePath, i => i.Object!, StringComparer.Ordinal);
        var staged = inputs.Where(i => byPath.ContainsKey(i.RelativePath)).ToDictionary(i => i.Id, i => byPath[i.RelativePath]);
        var run = await store.BeginRunAsync(job.Id, cancellationToken);
        var jobId = job.Id.ToString();
        LogResuming(logger, jobId, run);
        var state = registry.Create(jobId, job.Owner, inputs.Count, run);
        _ = Task.Run(() => RunAsync(jobId, inputs, staged, JobOptionsJson.Deserialize(job.OptionsJson), state));
    }

    /// <summary>What a job was submitted with: an input's path in the client's folder and its verified reference (none for a file skipped with --cache).</summary>
    private sealed record SubmittedInput(string RelativePath, ObjectReference? Object);

    private async Task RunAsync(string jobId, IReadOnlyList<InputFile> inputs, IReadOnlyDictionary<string, ObjectReference> staged, JobOptions options, JobState state)
    {
        var folder = Path.Combine(Path.GetTempPath(), "merfactory-jobs", jobId);
        // What a run that was killed left behind is not this run's output.
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        var links = new ArtifactLinks();
        var publisher = new OutputPublisher(objects, store, Guid.Parse(jobId), state.Owner, folder, links);
        var progress = new PublishingProgress(state, publisher, (fileId, e) => LogFileOutputsFailed(logger, jobId, fileId, e));
        var outputs = new List<JobOutput>();
        string? error = null;
        try
        {
            var output = new OutputFolder(folder, links);
            await runner.RunAsync(inputs, options, output, progress, CancellationToken.None, Guid.Parse(jobId), staged);
            await progress.WhenPublishedAsync();
            outputs.AddRange(await publisher.PublishRemainingAsync(CancellationToken.None));
            await publisher.WriteManifestAsync(outputs, CancellationToken.None);
        }
        catch (Exception e)
        {
            error = $"job failed: {e.Message}";
            LogJobFailed(logger, jobId, e);
        }
        finally
        {
            await state.CompleteAsync(outputs, error);
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Passes progress on to the job's state and, when a file finishes, publishes its outputs.</summary>
    private sealed class PublishingProgress(JobState state, OutputPublisher publisher, Action<string, Exception> onFailure) : IJobProgress
    {
        private readonly ConcurrentBag<Task> _publishing = [];

        public void JobStarted(int files) => state.JobStarted(files);
        public void FileStarted(string fileId) => state.FileStarted(fileId);
        public void StepStarted(string fileId, string step) => state.StepStarted(fileId, step);
        public void StepFinished(string fileId, string step, bool fromCache) => state.StepFinished(fileId, step, fromCache);
        public void StepFailed(string fileId, string step, string message) => state.StepFailed(fileId, step, message);

        public void FileFinished(string fileId, FileOutcome outcome)
        {
            state.FileFinished(fileId, outcome);
            _publishing.Add(Task.Run(async () =>
            {
                try
                {
                    var outputs = await publisher.PublishFolderAsync(fileId, CancellationToken.None);
                    if (outputs.Count > 0) state.FileOutputs(fileId, outputs);
                }
                catch (Exception e)
                {
                    onFailure(fileId, e); // the end of the job publishes whatever is still missing
                }
            }));
        }

        public Task WhenPublishedAsync() => Task.WhenAll(_publishing);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Resuming job {JobId} (run {Run}) after a restart")]
    private static partial void LogResuming(ILogger logger, string jobId, int run);

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {JobId} failed")]
    private static partial void LogJobFailed(ILogger logger, string jobId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId}: publishing the outputs of {FileId} early failed; they are published at the end")]
    private static partial void LogFileOutputsFailed(ILogger logger, string jobId, string fileId, Exception exception);
}
