using System.Threading.Channels;
using Google.Protobuf;
using MerFactory.Protos.Jobs;
using Microsoft.EntityFrameworkCore;

namespace MerFactory.JobApi.Jobs;

/// <summary>
/// Jobs in the database. Progress events are queued and written in batches by one writer (progress callbacks never
/// wait on the database); the job row's counters follow the latest event. <see cref="CompleteAsync"/> writes the
/// queued events first, so a completed job's history is whole.
/// </summary>
public sealed partial class JobStore(IServiceScopeFactory scopes, ILogger<JobStore> logger) : BackgroundService
{
    private readonly Channel<PendingWrite> _queue = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Applies the schema's migrations (<see cref="JobsSchema"/>) before anything else touches the database.</summary>
    public Task MigrateAsync(CancellationToken cancellationToken) => WithDbAsync(db => JobsSchema.MigrateAsync(db, cancellationToken));

    public Task AddAsync(JobRow job, CancellationToken cancellationToken) =>
        WithDbAsync(async db =>
        {
            db.Jobs.Add(job);
            await db.SaveChangesAsync(cancellationToken);
        });

    public Task<JobRow?> FindAsync(Guid jobId, CancellationToken cancellationToken) =>
        WithDbAsync(db => db.Jobs.AsNoTracking().SingleOrDefaultAsync(j => j.Id == jobId, cancellationToken));

    public Task<List<JobRow>> RunningAsync(CancellationToken cancellationToken) =>
        WithDbAsync(db => db.Jobs.AsNoTracking().Where(j => !j.Completed).OrderBy(j => j.SubmittedAt).ToListAsync(cancellationToken));

    /// <summary>The events of the job's latest run, in order.</summary>
    public Task<List<JobEvent>> EventsAsync(Guid jobId, int run, CancellationToken cancellationToken) =>
        WithDbAsync(async db => (await db.Events.AsNoTracking().Where(e => e.JobId == jobId && e.Run == run).OrderBy(e => e.Sequence)
            .Select(e => e.Event).ToListAsync(cancellationToken)).Select(JobEvent.Parser.ParseFrom).ToList());

    /// <summary>Starts another run of an unfinished job (after a restart): its counters start again from zero.</summary>
    public Task<int> BeginRunAsync(Guid jobId, CancellationToken cancellationToken) =>
        WithDbAsync(async db =>
        {
            var job = await db.Jobs.SingleAsync(j => j.Id == jobId, cancellationToken);
            job.Run++;
            job.FilesDone = job.FilesFailed = 0;
            await db.SaveChangesAsync(cancellationToken);
            return job.Run;
        });

    /// <summary>Records that a job of <paramref name="owner"/> names these objects as its outputs (each once per owner).</summary>
    public Task AddOutputReferencesAsync(Guid jobId, string owner, IEnumerable<string> keys, CancellationToken cancellationToken) =>
        WithDbAsync(async db =>
        {
            foreach (var key in keys.Distinct(StringComparer.Ordinal))
                await db.Database.ExecuteSqlInterpolatedAsync(
                    $"INSERT INTO job_output_refs (\"Owner\", \"Key\", \"JobId\") VALUES ({owner}, {key}, {jobId}) ON CONFLICT DO NOTHING", cancellationToken);
        });

    /// <summary>Whether a job of <paramref name="owner"/> names <paramref name="key"/> as an output.</summary>
    public Task<bool> IsOutputOfAsync(string owner, string key, CancellationToken cancellationToken) =>
        WithDbAsync(db => db.OutputReferences.AnyAsync(r => r.Owner == owner && r.Key == key, cancellationToken));

    public void Append(Guid jobId, int run, int sequence, JobEvent e) =>
        _queue.Writer.TryWrite(new PendingWrite(new JobEventRow { JobId = jobId, Run = run, Sequence = sequence, Event = e.ToByteArray() }, e, null));

    /// <summary>Marks the job completed with its outputs and errors, after every queued event is written.</summary>
    public async Task CompleteAsync(Guid jobId, IReadOnlyList<JobOutput> outputs, IReadOnlyList<string> errors, CancellationToken cancellationToken)
    {
        var flushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _queue.Writer.TryWrite(new PendingWrite(null, null, flushed));
        await flushed.Task.WaitAsync(cancellationToken);
        await WithDbAsync(async db =>
        {
            var job = await db.Jobs.SingleAsync(j => j.Id == jobId, cancellationToken);
            job.Completed = true;
            job.CompletedAt = DateTimeOffset.UtcNow;
            job.OutputsJson = JsonFormatter.Default.Format(new JobOutputs { Outputs = { outputs } });
            job.ErrorsJson = System.Text.Json.JsonSerializer.Serialize(errors);
            await db.SaveChangesAsync(cancellationToken);
        });
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<PendingWrite>();
        while (await _queue.Reader.WaitToReadAsync(stoppingToken))
        {
            while (batch.Count < 500 && _queue.Reader.TryRead(out var item)) batch.Add(item);
            try
            {
                await WriteAsync(batch, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The events are progress, not results: a job that loses some is still resumed and completed from its steps.
                LogWriteFailed(logger, batch.Count, e);
            }
            foreach (var item in batch) item.Flushed?.TrySetResult();
            batch.Clear();
        }
    }

    private Task WriteAsync(List<PendingWrite> batch, CancellationToken cancellationToken) =>
        WithDbAsync(async db =>
        {
            var events = batch.Where(b => b.Row is not null).ToList();
            if (events.Count == 0) return;
            db.Events.AddRange(events.Select(b => b.Row!));
            foreach (var latest in events.GroupBy(b => b.Row!.JobId).Select(g => g.Last()))
            {
                var job = await db.Jobs.SingleAsync(j => j.Id == latest.Row!.JobId, cancellationToken);
                (job.FilesTotal, job.FilesDone, job.FilesFailed) = (latest.Event!.FilesTotal, latest.Event.FilesDone, latest.Event.FilesFailed);
            }
            await db.SaveChangesAsync(cancellationToken);
        });

    private async Task<T> WithDbAsync<T>(Func<JobsDbContext, Task<T>> action)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<JobsDbContext>());
    }

    private async Task WithDbAsync(Func<JobsDbContext, Task> action)
    {
        await using var scope = scopes.CreateAsyncScope();
        await action(scope.ServiceProvider.GetRequiredService<JobsDbContext>());
    }

    private sealed record PendingWrite(JobEventRow? Row, JobEvent? Event, TaskCompletionSource? Flushed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing {Count} job events to the database failed")]
    private static partial void LogWriteFailed(ILogger logger, int count, Exception exception);
}
