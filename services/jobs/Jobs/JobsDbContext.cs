using Microsoft.EntityFrameworkCore;

namespace MerFactory.JobApi.Jobs;

/// <summary>The job API's durable state (PostgreSQL <c>jobsdb</c>): jobs, what they were submitted with, and their events.</summary>
public sealed class JobsDbContext(DbContextOptions<JobsDbContext> options) : DbContext(options)
{
    public DbSet<JobRow> Jobs => Set<JobRow>();
    public DbSet<JobEventRow> Events => Set<JobEventRow>();
    public DbSet<OutputReferenceRow> OutputReferences => Set<OutputReferenceRow>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<JobRow>(job =>
        {
            job.ToTable("jobs");
            job.HasKey(j => j.Id);
            job.HasIndex(j => new { j.Owner, j.Completed });
            job.HasIndex(j => j.Completed);
        });
        modelBuilder.Entity<JobEventRow>(e =>
        {
            e.ToTable("job_events");
            e.HasKey(x => new { x.JobId, x.Run, x.Sequence });
        });
        modelBuilder.Entity<OutputReferenceRow>(r =>
        {
            r.ToTable("job_output_refs");
            r.HasKey(x => new { x.Owner, x.Key });
        });
    }
}

/// <summary>
/// One job: enough to run it again after a restart (<see cref="OptionsJson"/>, <see cref="InputsJson"/>: the inputs'
/// relative paths and the server-verified references) and to answer GetStatus/ListOutputs once it is done.
/// </summary>
public sealed class JobRow
{
    public Guid Id { get; set; }
    public required string Owner { get; set; }
    public required string OptionsJson { get; set; }
    public required string InputsJson { get; set; }
    public DateTimeOffset SubmittedAt { get; set; }

    /// <summary>How many times the job was started (1, then one more per resume after a restart).</summary>
    public int Run { get; set; } = 1;
    public bool Completed { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public int FilesTotal { get; set; }
    public int FilesDone { get; set; }
    public int FilesFailed { get; set; }
    public string ErrorsJson { get; set; } = "[]";
    public string OutputsJson { get; set; } = "[]";
}

/// <summary>A progress event (the protobuf <c>JobEvent</c>, serialized) of one run of a job, in order.</summary>
public sealed class JobEventRow
{
    public Guid JobId { get; set; }
    public int Run { get; set; }
    public int Sequence { get; set; }
    public required byte[] Event { get; set; }
}

/// <summary>
/// An object outside the owner's own folders (a step artifact) that one of the owner's jobs names as an output: the
/// owner may download it (<c>Jobs.Download</c>), as it may its own uploads and job files. <see cref="JobId"/> is the first
/// job that named it.
/// </summary>
public sealed class OutputReferenceRow
{
    public required string Owner { get; set; }
    public required string Key { get; set; }
    public Guid JobId { get; set; }
}
