using System.Collections.Concurrent;
using System.Threading.Channels;
using MerFactory.Pipeline.Orchestration;
using MerFactory.Protos.Jobs;

namespace MerFactory.JobApi.Jobs;

/// <summary>
/// The jobs of this instance (their progress events, replayed to late watchers, and outputs), backed by the database:
/// a job this process does not hold (finished before a restart) is read from there.
/// </summary>
public sealed class JobRegistry(JobStore store)
{
    private readonly ConcurrentDictionary<string, JobState> _jobs = new();

    public JobState Create(string jobId, string owner, int files, int run = 1) =>
        _jobs.GetOrAdd(jobId, id => new JobState(id, owner, files, run, store));

    public async Task<JobState?> FindAsync(string jobId, CancellationToken cancellationToken)
    {
        if (_jobs.TryGetValue(jobId, out var state)) return state;
        if (!Guid.TryParse(jobId, out var id) || await store.FindAsync(id, cancellationToken) is not { } row) return null;
        var restored = JobState.Restore(row, await store.EventsAsync(id, row.Run, cancellationToken));
        // A finished job never changes again: keep it. One still running elsewhere is read afresh each time.
        return row.Completed ? _jobs.GetOrAdd(jobId, restored) : restored;
    }

    /// <summary>Jobs of <paramref name="owner"/> not completed yet.</summary>
    public int RunningCount(string owner) => _jobs.Values.Count(j => j.Owner == owner && !j.Completed);
}

/// <summary>One job's progress, fed by the job runner and read by Watch/GetStatus; each event also goes to the database.</summary>
public sealed class JobState(string jobId, string owner, int files, int run, JobStore? store) : IJobProgress
{
    private readonly Lock _gate = new();
    private readonly List<JobEvent> _events = [];
    private readonly List<Channel<JobEvent>> _watchers = [];
    private int _done;
    private int _failed;

    public string JobId { get; } = jobId;

    /// <summary>The credential that submitted the job; only it may watch it or read its outputs.</summary>
    public string Owner { get; } = owner;
    public int FilesTotal { get; private set; } = files;
    public bool Completed { get; private set; }
    public List<string> Errors { get; } = [];
    public List<JobOutput> Outputs { get; } = [];

    /// <summary>A job as the database holds it (finished before this process started, or run by another instance).</summary>
    public static JobState Restore(JobRow row, IReadOnlyList<JobEvent> events)
    {
        var state = new JobState(row.Id.ToString(), row.Owner, row.FilesTotal, row.Run, null)
        {
            _done = row.FilesDone, _failed = row.FilesFailed, Completed = row.Completed,
        };
        state._events.AddRange(events);
        state.Errors.AddRange(System.Text.Json.JsonSerializer.Deserialize<List<string>>(row.ErrorsJson) ?? []);
        state.Outputs.AddRange(Google.Protobuf.JsonParser.Default.Parse<JobOutputs>(row.OutputsJson).Outputs);
        return state;
    }

    public JobStatus Status()
    {
        lock (_gate)
        {
            var status = new JobStatus { JobId = JobId, Completed = Completed, FilesTotal = FilesTotal, FilesDone = _done, FilesFailed = _failed };
            status.Errors.AddRange(Errors);
            return status;
        }
    }

    /// <summary>Everything so far, then each new event, until the job completes.</summary>
    public ChannelReader<JobEvent> Subscribe()
    {
        var channel = Channel.CreateUnbounded<JobEvent>();
        lock (_gate)
        {
            foreach (var e in _events) channel.Writer.TryWrite(e);
            if (Completed) channel.Writer.TryComplete();
            else _watchers.Add(channel);
        }
        return channel.Reader;
    }

    /// <summary>Records the outputs, writes the job as completed (after its events), then ends every watch.</summary>
    public async Task CompleteAsync(IEnumerable<JobOutput> outputs, string? error = null)
    {
        lock (_gate)
        {
            Outputs.AddRange(outputs);
            if (error is not null) Errors.Add(error);
        }
        Publish("", "", "job-completed", error);
        if (store is not null)
        {
            List<JobOutput> outputsNow;
            List<string> errorsNow;
            lock (_gate) (outputsNow, errorsNow) = ([.. Outputs], [.. Errors]);
            await store.CompleteAsync(Guid.Parse(JobId), outputsNow, errorsNow, CancellationToken.None);
        }
        lock (_gate)
        {
            Completed = true;
            foreach (var w in _watchers) w.Writer.TryComplete();
            _watchers.Clear();
        }
    }

    public void JobStarted(int files) => FilesTotal = files;
    public void FileStarted(string fileId) => Publish(fileId, "", "started", null);
    public void StepStarted(string fileId, string step) => Publish(fileId, step, "started", null);
    public void StepFinished(string fileId, string step, bool fromCache) => Publish(fileId, step, fromCache ? "cached" : "completed", null);
    public void StepFailed(string fileId, string step, string message) => Publish(fileId, step, "failed", message);

    public void FileFinished(string fileId, FileOutcome outcome)
    {
        lock (_gate)
        {
            _done++;
            if (outcome.Status == FileStatus.Failed)
            {
                _failed++;
                Errors.Add(outcome.Error ?? fileId);
            }
        }
        Publish(fileId, "", outcome.Status switch { FileStatus.Failed => "file-failed", FileStatus.Skipped => "file-skipped", _ => "file-completed" }, outcome.Error);
    }

    /// <summary>A finished file's outputs are in the store (published before the job ends).</summary>
    public void FileOutputs(string fileId, IReadOnlyList<JobOutput> outputs) => Publish(fileId, "", "file-outputs", null, outputs);

    private void Publish(string fileId, string step, string state, string? message, IReadOnlyList<JobOutput>? outputs = null)
    {
        lock (_gate)
        {
            var e = new JobEvent
            {
                JobId = JobId, File = fileId, Step = step, State = state, Message = message ?? "",
                FilesTotal = FilesTotal, FilesDone = _done, FilesFailed = _failed,
                TimestampUnix = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0,
            };
            if (outputs is not null) e.Outputs.AddRange(outputs);
            _events.Add(e);
            store?.Append(Guid.Parse(JobId), run, _events.Count, e);
            foreach (var w in _watchers) w.Writer.TryWrite(e);
        }
    }
}
