using MerFactory.Contracts;
using MerFactory.Contracts.Llm;
using MerFactory.Pipeline.Synthesis;

namespace MerFactory.Pipeline.Orchestration;

/// <summary>
/// One file's step requests: each is sent through the <see cref="StepRunner"/> and logged in the file's
/// <c>{id}_steps.json</c> (ran, cached, skipped; how long; which model).
/// </summary>
public sealed class FileSteps(StepRunner steps, FileRun run)
{
    public FileRun Run => run;

    public async Task<StepCompleted<TResponse>> RunAsync<TResponse>(IStepRequest<TResponse> request, CancellationToken cancellationToken)
        where TResponse : class
    {
        var clock = FileRun.Clock();
        var completed = await steps.RunAsync(request, cancellationToken).ConfigureAwait(false);
        run.Record(new StepRecord(completed.Step, completed.FromCache ? "cached" : "completed", clock.Elapsed.TotalSeconds, completed.StepKey));
        return completed;
    }

    /// <summary>
    /// One LLM step. Returns the answer, or null when the step was skipped (no model configured, or the model cannot
    /// take the input and nothing can stand in): the reason goes to the sidecar and the run summary, and no text is invented.
    /// </summary>
    public async Task<string?> AskAsync(string step, string prompt, IReadOnlyList<ObjectReference> media, LlmEvidenceRefs? evidence, CancellationToken cancellationToken)
    {
        var clock = FileRun.Clock();
        var job = run.Job;
        var request = new RunLlmStep(job.JobId, run.Id, step, prompt, media, evidence, job.Options.LlmRoutes?.GetValueOrDefault(step), UseCache: job.Options.Cache);
        var completed = await steps.RunAsync(request, cancellationToken).ConfigureAwait(false);
        run.RecordLlm(StepRunner.DisplayName(request), completed, clock.Elapsed.TotalSeconds);
        var outcome = completed.Response;
        if (outcome.Status == "Skipped" || string.IsNullOrWhiteSpace(outcome.Text))
        {
            run.Skipped(step, outcome.SkipReason ?? "empty answer");
            return null;
        }
        return outcome.Text.Trim();
    }

    /// <summary>Synthesis, asked once more when the answer lacks the concluding sentence that exports parse.</summary>
    public async Task<string?> SynthesizeAsync(string prompt, bool isImage, CancellationToken cancellationToken)
    {
        var sentiment = run.Job.Options.Task == TaskKind.SentimentAnalysis;
        var summary = await AskAsync("synthesis", prompt, [], null, cancellationToken).ConfigureAwait(false);
        if (summary is null || ConclusionCheck.EndsAsRequired(summary, isImage, sentiment, run.Label)) return summary;
        var repaired = await AskAsync("synthesis", ConclusionCheck.RepairPrompt(prompt, summary, isImage, sentiment, run.Label), [], null, cancellationToken).ConfigureAwait(false);
        if (repaired is not null && ConclusionCheck.EndsAsRequired(repaired, isImage, sentiment, run.Label)) return repaired;
        run.Note($"synthesis does not end with the required sentence \"{ConclusionCheck.RequiredEnding(isImage, sentiment, run.Label).Trim()}…\" after one retry");
        return repaired ?? summary;
    }
}
