using System.Diagnostics;
using MerFactory.Compute;
using MerFactory.Contracts;
using MerFactory.Jobs.Steps;
using MerFactory.Storage;

namespace MerFactory.Pipeline.Orchestration;

/// <summary>Run totals as printed and written to <c>run_summary.json</c>; <see cref="TraceId"/> is the job's W3C trace, when traced.</summary>
public sealed record RunSummary(Guid JobId, DateTimeOffset StartedAt, double Seconds, int Total, int Succeeded, int Skipped, int Failed, IReadOnlyList<FileOutcome> Files,
    string? TraceId = null)
{
    /// <summary>Files whose final dataset record exists (a file can succeed with evidence only, when its LLM steps were skipped).</summary>
    public int RecordsWritten { get; init; }

    /// <summary>Set when <c>run_summary.json</c> could not be written (e.g. the disk is full); the summary is still returned.</summary>
    public string? SummaryWriteError { get; init; }
}

/// <summary>
/// Runs every input of a job through the <see cref="FileProcessor"/>, up to <c>--concurrency</c> files at once.
/// A file's failure is logged to <c>error_logs/</c> and never stops the others. The job runs in one activity and
/// each file in a child of it (<see cref="PipelineTelemetry"/>), so all of a job's step requests share its trace.
/// </summary>
public sealed class JobRunner(FileProcessor processor, InputStager stager, IObjectStore store, JobProgressRouter listeners)
{
    /// <param name="staged">Inputs already in the object store (distributed jobs), by input id; others are staged from their path.</param>
    public async Task<RunSummary> RunAsync(IReadOnlyList<InputFile> inputs, JobOptions options, OutputFolder output, IJobProgress progress, CancellationToken cancellationToken,
        Guid? jobId = null, IReadOnlyDictionary<string, ObjectReference>? staged = null)
    {
        var job = new JobContext(jobId ?? Guid.NewGuid(), options, output, store, progress, staged) { Prompts = JobContext.LoadPrompts(options) };
        using var activity = PipelineTelemetry.Source.StartActivity(PipelineTelemetry.JobActivity);
        activity?.SetTag(PipelineTelemetry.JobIdTag, job.JobId.ToString());
        activity?.SetTag("merfactory.type", options.Type.ToString());
        activity?.SetTag("merfactory.files", inputs.Count);
        using var registration = listeners.Register(job.JobId, progress);
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        progress.JobStarted(inputs.Count);
        var outcomes = new FileOutcome[inputs.Count];
        await RunFilesAsync(inputs, job, outcomes, cancellationToken).ConfigureAwait(false);

        var summary = new RunSummary(job.JobId, started, clock.Elapsed.TotalSeconds, outcomes.Length,
            outcomes.Count(o => o.Status == FileStatus.Succeeded), outcomes.Count(o => o.Status == FileStatus.Skipped),
            outcomes.Count(o => o.Status == FileStatus.Failed), outcomes, TraceIds.Current())
        {
            RecordsWritten = inputs.Where((input, i) => outcomes[i].Status != FileStatus.Failed
                && File.Exists(output.FilePath(input.Id, JobOptions.FinalOutputSuffix(EffectiveType(input, options))))).Count(),
        };
        activity?.SetTag("merfactory.failed", summary.Failed);
        if (summary.Failed > 0) activity?.SetStatus(ActivityStatusCode.Error, $"{summary.Failed} of {summary.Total} file(s) failed");
        try
        {
            await output.WriteJsonAsync(Path.Combine(output.Root, "run_summary.json"), summary, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return summary with { SummaryWriteError = e.Message };
        }
        return summary;
    }

    /// <summary>Starts files in input order as <c>--concurrency</c> slots free up (see <see cref="FileSlots"/>) and waits for all.</summary>
    private async Task RunFilesAsync(IReadOnlyList<InputFile> inputs, JobContext job, FileOutcome[] outcomes, CancellationToken cancellationToken)
    {
        var slots = new FileSlots(Math.Max(1, job.Options.Concurrency));
        var started = new List<Task>(inputs.Count);
        try
        {
            for (var i = 0; i < inputs.Count; i++)
            {
                await slots.AcquireAsync(i, cancellationToken).ConfigureAwait(false);
                var lease = slots.Lease(i);
                var input = inputs[i];
                var index = i;
                started.Add(Task.Run(async () =>
                {
                    using (lease)
                    using (lease.Begin())
                    {
                        outcomes[index] = await RunFileAsync(input, job, cancellationToken).ConfigureAwait(false);
                    }
                }, CancellationToken.None));
            }
        }
        finally
        {
            // Files under way finish (or see the cancellation) before the job returns, as with any parallel loop.
            await Task.WhenAll(started).ConfigureAwait(false);
        }
    }

    private async Task<FileOutcome> RunFileAsync(InputFile input, JobContext job, CancellationToken cancellationToken)
    {
        using var activity = PipelineTelemetry.Source.StartActivity(PipelineTelemetry.FileActivity);
        activity?.SetTag(PipelineTelemetry.JobIdTag, job.JobId.ToString());
        activity?.SetTag(PipelineTelemetry.FileIdTag, input.Id);
        // Files started earlier get the cores first (see ComputeOrder).
        using var order = ComputeOrder.Begin(new QueuePlace(ComputeOrder.Next()));
        var clock = Stopwatch.StartNew();
        var progress = job.Progress;
        progress.FileStarted(input.Id);
        FileOutcome outcome;
        if (job.Options.Cache && EarlierResults.Of(input, job.Options, job.Output).FinalRecordDone)
        {
            outcome = new FileOutcome(input.Id, input.RelativePath, FileStatus.Skipped, null, 0);
        }
        else
        {
            try
            {
                var source = job.Staged?.TryGetValue(input.Id, out var given) == true
                    ? given
                    : await stager.StageAsync(input.Path, cancellationToken).ConfigureAwait(false);
                var result = await processor.ProcessAsync(input, source, job, cancellationToken).ConfigureAwait(false);
                outcome = new FileOutcome(input.Id, input.RelativePath, FileStatus.Succeeded, null, clock.Elapsed.TotalSeconds, result.Notes.Count == 0 ? null : result.Notes);
                // The error log of an earlier, failed attempt no longer describes this file.
                job.Output.RemoveErrorLog(input.Id);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                var (message, details) = FileFailure.Describe(input, e);
                var logged = await job.Output.TryWriteErrorLogAsync(input.Id, details is null ? message : message + Environment.NewLine + Environment.NewLine + details).ConfigureAwait(false);
                if (logged is not null) message += $" (error log not written: {logged})";
                outcome = new FileOutcome(input.Id, input.RelativePath, FileStatus.Failed, message, clock.Elapsed.TotalSeconds);
                activity?.SetStatus(ActivityStatusCode.Error, message);
            }
        }
        activity?.SetTag("merfactory.file_status", outcome.Status.ToString());
        progress.FileFinished(input.Id, outcome);
        return outcome;
    }

    /// <summary>Images always run the image pipeline and audio files the audio pipeline (spec §1.9).</summary>
    public static ProcessingType EffectiveType(InputFile input, JobOptions options) => input.Kind switch
    {
        MediaKind.Image => ProcessingType.Image,
        MediaKind.Audio => ProcessingType.Audio,
        _ => options.Type,
    };
}
