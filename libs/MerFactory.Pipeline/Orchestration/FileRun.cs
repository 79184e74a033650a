using System.Collections.Concurrent;
using System.Diagnostics;
using MerFactory.Contracts;
using MerFactory.Contracts.Llm;
using MerFactory.Llm.Prompts;
using MerFactory.Storage;

namespace MerFactory.Pipeline.Orchestration;

/// <summary>Everything shared by the files of one job.</summary>
public sealed record JobContext(Guid JobId, JobOptions Options, OutputFolder Output, IObjectStore Store, IJobProgress Progress,
    IReadOnlyDictionary<string, ObjectReference>? Staged = null)
{
    /// <summary>The job's prompts: <see cref="JobOptions.PromptsJson"/> or the built-in ones.</summary>
    public PromptCatalog Prompts { get; init; } = PromptCatalog.Load();

    public SynthesisTask SynthesisTask => Options.Task == TaskKind.SentimentAnalysis ? SynthesisTask.SentimentAnalysis : SynthesisTask.Merr;

    public static PromptCatalog LoadPrompts(JobOptions options)
    {
        if (options.PromptsJson is null) return PromptCatalog.Load();
        using var json = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(options.PromptsJson));
        return PromptCatalog.Parse(json, options.PromptsFile ?? "prompts file of the job");
    }
}

/// <summary>One entry of the <c>{id}_steps.json</c> sidecar: what ran for the file, on what, and how long it took.</summary>
public sealed record StepRecord(
    string Step,
    string Status,
    double Seconds,
    string? StepKey = null,
    string? Backend = null,
    string? Model = null,
    string? Degradation = null,
    string? Note = null)
{
    /// <summary>When the step began (UTC), so that a job's files can be laid out on one timeline.</summary>
    public DateTimeOffset? Started { get; init; }
}

/// <summary>The sidecar MER-Factory lacks: the steps, models and versions behind a file's outputs.</summary>
public sealed record FileStepsDocument(
    string Id,
    string SourcePath,
    string Type,
    string Task,
    string PromptsSource,
    string PromptsVersion,
    string? GroundTruthLabel,
    IReadOnlyList<StepRecord> Steps,
    IReadOnlyList<string> Notes);

/// <summary>One file's run through the graph: its inputs, its label and the log of its steps.</summary>
public sealed class FileRun(InputFile input, ObjectReference source, JobContext job)
{
    private readonly ConcurrentQueue<StepRecord> _steps = new();
    private readonly ConcurrentQueue<string> _notes = new();
    private readonly ConcurrentQueue<(string Step, string Reason)> _skipped = new();

    public InputFile Input { get; } = input;
    public ObjectReference Source { get; } = source;
    public JobContext Job { get; } = job;
    public string Id => Input.Id;

    /// <summary>Ground truth by stem (spec §1.6).</summary>
    public string? Label { get; } = job.Options.Labels?.GetValueOrDefault(Path.GetFileNameWithoutExtension(input.Path));

    public OutputFolder Output => Job.Output;

    /// <summary>The input's path as the records name it: where the user has it (a remote job's client side), else here.</summary>
    public string RecordedSourcePath => Job.Options.ClientInputRoot is { } root ? Path.Combine(root, Input.RelativePath) : Input.Path;

    /// <summary>An output file's path as the records name it: in the user's OUTPUT (a remote job's download folder), else here.</summary>
    public string RecordedOutputPath(string suffix) => Job.Options.ClientOutputRoot is { } root ? Path.Combine(root, Id, Id + suffix) : FilePath(suffix);

    public string FilePath(string suffix) => Output.FilePath(Id, suffix);

    public void Record(StepRecord record) =>
        _steps.Enqueue(record.Started is null ? record with { Started = DateTimeOffset.UtcNow.AddSeconds(-record.Seconds) } : record);

    public void Note(string note) => _notes.Enqueue(note);

    /// <summary>An LLM step of this file was skipped or ran on a stand-in for its modality: its record is flagged <c>degraded</c>.</summary>
    public bool Degraded => !_skipped.IsEmpty || _steps.Any(s => s.Step.StartsWith("llm-", StringComparison.Ordinal) && (s.Degradation is not null || s.Status == "skipped"));

    /// <summary>An LLM step that made no call; reported once per reason ("synthesis, image skipped: no LLM configured").</summary>
    public void Skipped(string step, string reason) => _skipped.Enqueue((step, reason));

    public IReadOnlyList<string> Notes =>
    [
        .. _notes,
        // The gateway names the step in its reason ("no LLM configured for the image step (...)"): group on the rest.
        .. _skipped.GroupBy(s => s.Reason.Replace($" for the {s.Step} step", "", StringComparison.Ordinal))
            .Select(g => $"{string.Join(", ", g.Select(s => s.Step).Distinct())} skipped: {g.Key}"),
    ];

    public void RecordLlm(string step, StepCompleted<LlmStepOutcome> completed, double seconds) => RecordLlm(step, completed.Response, completed, seconds);

    private void RecordLlm(string step, LlmStepOutcome outcome, StepCompleted<LlmStepOutcome> completed, double seconds) => Record(new StepRecord(
        step,
        outcome.Status == "Skipped" ? "skipped" : completed.FromCache || outcome.Cached ? "cached" : "completed",
        seconds, completed.StepKey, outcome.Backend, outcome.Model,
        outcome.Degradation == "None" ? null : outcome.DegradationDescription ?? outcome.Degradation,
        outcome.SkipReason));

    public FileStepsDocument Document(ProcessingType type) => new(Id, Input.Path, type.ToString(), Job.Options.Task == TaskKind.MERR ? "MERR" : "Sentiment Analysis",
        Job.Prompts.Source, Job.Prompts.Version, Label, [.. _steps], Notes);

    public static Stopwatch Clock() => Stopwatch.StartNew();
}
