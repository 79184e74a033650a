namespace MerFactory.JobApi.Jobs;

/// <summary>
/// At start, before the job API serves: brings the database to the current schema (EF Core migrations), then resumes every job that was
/// still running when the previous process stopped, so Watch, GetStatus and ListOutputs find them here.
/// </summary>
public sealed partial class JobResumer(JobStore store, JobExecutor executor, ILogger<JobResumer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await store.MigrateAsync(cancellationToken);
        var unfinished = await store.RunningAsync(cancellationToken);
        if (unfinished.Count > 0) LogResuming(logger, unfinished.Count);
        foreach (var job in unfinished) await executor.ResumeAsync(job, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Resuming {Count} unfinished job(s)")]
    private static partial void LogResuming(ILogger logger, int count);
}
