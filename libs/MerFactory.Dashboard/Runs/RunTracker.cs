using System.Collections.Concurrent;
using MerFactory.Dashboard.Curation;
using MerFactory.Dashboard.Prompts;
using MerFactory.Dashboard.Records;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MerFactory.Dashboard.Runs;

/// <summary>A run's live progress, polled by the page.</summary>
public sealed class RunStatus : IRunObserver
{
    private readonly ConcurrentQueue<string> _log = new();
    private int _filesDone, _filesFailed, _steps;

    public required string Id { get; init; }
    public required RunRequest Request { get; init; }
    public string State { get; set; } = "running";
    public int Files { get; private set; }
    public int FilesDone => _filesDone;
    public int FilesFailed => _filesFailed;
    public int StepsDone => _steps;
    public string? Error { get; set; }
    public IReadOnlyList<string> Log => _log.ToArray();

    public void JobStarted(int files) { Files = files; Add($"{files} file(s) found"); }
    public void FileStarted(string fileId) => Add($"{fileId}: started");
    public void StepFinished(string fileId, string step) { Interlocked.Increment(ref _steps); Add($"{fileId}: {step} done"); }
    public void StepFailed(string fileId, string step, string message) => Add($"{fileId}: {step} failed: {message}");

    public void FileFinished(string fileId, string outcome)
    {
        Interlocked.Increment(ref _filesDone);
        if (outcome == "failed") Interlocked.Increment(ref _filesFailed);
        Add($"{fileId}: {outcome}");
    }

    private void Add(string line)
    {
        _log.Enqueue(line);
        while (_log.Count > 300) _log.TryDequeue(out _);
    }
}

/// <summary>Starts runs from the run builder (one at a time, like MER-Factory's dashboard) and re-indexes the dataset after each.</summary>
public sealed partial class RunTracker(IRunLauncher? launcher, PromptLab prompts, RecordIndexer indexer, IOptions<DashboardOptions> options, ILogger<RunTracker> logger)
{
    private readonly ConcurrentDictionary<string, RunStatus> _runs = new(StringComparer.Ordinal);
    private readonly Lock _startLock = new();
    private RunStatus? _current;

    public string? Mode => launcher?.Mode;

    public RunStatus? Get(string id) => _runs.GetValueOrDefault(id);

    public async Task<RunStatus> StartAsync(RunRequest request, CancellationToken cancellationToken)
    {
        if (launcher is null) throw new CurationException("this dashboard has no runner (start it with `merfactory dashboard` or in the AppHost)");
        var input = ResolveInput(request.Input);
        if (request.Concurrency < 1 || request.PeakDistance < 8 || request.Threshold is < 0 or > 5)
            throw new CurationException("concurrency must be ≥ 1, peak distance ≥ 8 and the threshold within 0–5");
        string? promptsJson = null;
        if (request.PromptsVersion is { } v)
            promptsJson = (await prompts.GetAsync(v, cancellationToken) ?? throw new CurationException($"no prompts version {v}")).Json;

        var status = new RunStatus { Id = Guid.NewGuid().ToString("n")[..12], Request = request };
        lock (_startLock)
        {
            if (_current is { State: "running" }) throw new CurationException("a run is already going on; wait for it to finish");
            _current = status;
        }
        _runs[status.Id] = status;
        _ = Task.Run(() => RunAsync(status, input, promptsJson), CancellationToken.None);
        return status;
    }

    private async Task RunAsync(RunStatus status, string input, string? promptsJson)
    {
        try
        {
            var failed = await launcher!.RunAsync(status.Request, input, promptsJson, status, CancellationToken.None);
            await indexer.SyncAsync();
            status.State = failed > 0 ? "completed-with-failures" : "completed";
        }
        catch (Exception e)
        {
            LogRunFailed(logger, e, status.Id);
            status.Error = e.Message;
            status.State = "failed";
        }
    }

    /// <summary>Inputs must lie inside the input root: the form never opens arbitrary paths.</summary>
    private string ResolveInput(string input)
    {
        var root = Path.GetFullPath(options.Value.InputRoot ?? Directory.GetCurrentDirectory());
        var path = Path.GetFullPath(Path.Combine(root, input));
        var inside = path == root || path.StartsWith(Path.EndsInDirectorySeparator(root) ? root : root + Path.DirectorySeparatorChar, StringComparison.Ordinal);
        if (!inside || (!File.Exists(path) && !Directory.Exists(path)))
            throw new CurationException($"input '{input}' is not a file or folder under the input root {root}");
        return path;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Run {RunId} failed")]
    private static partial void LogRunFailed(ILogger logger, Exception exception, string runId);
}
