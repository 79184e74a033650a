namespace MerFactory.Pipeline.Orchestration;

/// <summary>Progress of a job as it runs; the CLI draws it, the job service streams it.</summary>
public interface IJobProgress
{
    void JobStarted(int files);
    void FileStarted(string fileId);
    void StepStarted(string fileId, string step);
    void StepFinished(string fileId, string step, bool fromCache);
    void StepFailed(string fileId, string step, string message);
    void FileFinished(string fileId, FileOutcome outcome);
}

public enum FileStatus
{
    Succeeded,
    Skipped,
    Failed,
}

/// <param name="Notes">What the file's run left out or reused (e.g. LLM steps skipped because no model is configured).</param>
public sealed record FileOutcome(string Id, string RelativePath, FileStatus Status, string? Error, double Seconds, IReadOnlyList<string>? Notes = null);

/// <summary>Fans progress out to several listeners.</summary>
public sealed class CompositeJobProgress(params IJobProgress[] sinks) : IJobProgress
{
    public void JobStarted(int files) { foreach (var s in sinks) s.JobStarted(files); }
    public void FileStarted(string fileId) { foreach (var s in sinks) s.FileStarted(fileId); }
    public void StepStarted(string fileId, string step) { foreach (var s in sinks) s.StepStarted(fileId, step); }
    public void StepFinished(string fileId, string step, bool fromCache) { foreach (var s in sinks) s.StepFinished(fileId, step, fromCache); }
    public void StepFailed(string fileId, string step, string message) { foreach (var s in sinks) s.StepFailed(fileId, step, message); }
    public void FileFinished(string fileId, FileOutcome outcome) { foreach (var s in sinks) s.FileFinished(fileId, outcome); }
}

/// <summary>
/// Finds the progress listener of the job a step belongs to, so one process (the CLI, or the synthesis
/// service running many jobs) reports each job's steps to that job's listener.
/// </summary>
public sealed class JobProgressRouter
{
    private static readonly IJobProgress Nobody = new CompositeJobProgress();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, IJobProgress> _listeners = new();

    public IJobProgress For(Guid jobId) => _listeners.TryGetValue(jobId, out var listener) ? listener : Nobody;

    public IDisposable Register(Guid jobId, IJobProgress listener)
    {
        _listeners[jobId] = listener;
        return new Registration(() => _listeners.TryRemove(jobId, out _));
    }

    private sealed class Registration(Action remove) : IDisposable
    {
        public void Dispose() => remove();
    }
}
