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

public sealed record FileOutcome(string Id, string RelativePath, FileStatus Status, string? Error, double Seconds);

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
