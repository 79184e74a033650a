namespace MerFactory.Dashboard.Runs;

/// <summary>The run builder's form: the <c>process</c> options a curator may set (spec §9.2 step 2).</summary>
public sealed record RunRequest
{
    public string Input { get; init; } = "";
    public string Type { get; init; } = "MER";
    public string Task { get; init; } = "MERR";
    public double Threshold { get; init; } = 0.8;
    public int PeakDistance { get; init; } = 15;
    public int Concurrency { get; init; } = 4;
    public bool Cache { get; init; }
    public bool UseGateAgent { get; init; }
    /// <summary>A prompt-lab version to run with; null = the built-in prompts.</summary>
    public int? PromptsVersion { get; init; }
}

/// <summary>What a launcher reports while a run goes on.</summary>
public interface IRunObserver
{
    void JobStarted(int files);
    void FileStarted(string fileId);
    void StepFinished(string fileId, string step);
    void StepFailed(string fileId, string step, string message);
    void FileFinished(string fileId, string outcome);
}

/// <summary>
/// Starts a <c>process</c> job into the dataset's output folder: the embedded runner in <c>merfactory dashboard</c>,
/// the job API in distributed mode. Returns the number of files that failed.
/// </summary>
public interface IRunLauncher
{
    /// <summary>"embedded" or "distributed", shown on the page.</summary>
    string Mode { get; }

    Task<int> RunAsync(RunRequest request, string inputPath, string? promptsJson, IRunObserver observer, CancellationToken cancellationToken);
}
