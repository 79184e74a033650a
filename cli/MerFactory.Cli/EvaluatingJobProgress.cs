using MerFactory.Evaluation;
using MerFactory.Pipeline.Orchestration;

namespace MerFactory.Cli;

/// <summary>
/// <c>process --evaluate</c>: evaluates each record as soon as its file has finished (its final JSON is written), so the
/// <c>{id}_eval.json</c> sidecars appear during the run. It only listens to the run's progress: the pipeline is unchanged.
/// </summary>
internal sealed class EvaluatingJobProgress(string outputRoot, IReadOnlyDictionary<string, string>? labels) : IJobProgress
{
    private readonly DatasetEvaluator _evaluator = new();
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _problems = new();

    /// <summary>Records whose evaluation failed (a damaged file), with the reason; the run itself goes on.</summary>
    public IReadOnlyCollection<string> Problems => _problems;

    public void FileFinished(string fileId, FileOutcome outcome)
    {
        if (outcome.Status == FileStatus.Failed) return;
        try
        {
            _evaluator.EvaluateFolder(Path.Combine(outputRoot, fileId), labels);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or IOException or UnauthorizedAccessException)
        {
            _problems.Enqueue($"{fileId}: evaluation failed: {e.Message}");
        }
    }

    public void JobStarted(int files) { }
    public void FileStarted(string fileId) { }
    public void StepStarted(string fileId, string step) { }
    public void StepFinished(string fileId, string step, bool fromCache) { }
    public void StepFailed(string fileId, string step, string message) { }
}
