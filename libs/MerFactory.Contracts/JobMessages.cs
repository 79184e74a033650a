namespace MerFactory.Contracts.Jobs;

/// <summary>A job was accepted: its manifest (inputs and options) is in the store at <see cref="Manifest"/>.</summary>
public sealed record JobSubmitted(Guid JobId, ObjectReference Manifest);

/// <summary>Progress of one file through one step (published for dashboards and the gRPC watch stream).</summary>
public sealed record StepProgress(Guid JobId, string FileId, string Step, StepState State, string? Message, DateTimeOffset At);

/// <summary>The whole job finished (successfully or not); <see cref="Summary"/> points at the run summary JSON.</summary>
public sealed record JobFinished(Guid JobId, int FilesTotal, int FilesSucceeded, int FilesFailed, int FilesSkipped, ObjectReference Summary);

public enum StepState
{
    Started,
    Completed,
    Cached,
    Skipped,
    Failed,
}
