using MerFactory.Distributed.Tests;
using MerFactory.JobApi.Jobs;
using MerFactory.Protos.Jobs;
using Google.Protobuf;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace MerFactory.JobApi.Tests;

public sealed class PostgresFixture : IDisposable
{
    public LocalPostgres Server { get; } = LocalPostgres.Start();

    /// <summary>A database of the test's own on the shared server (created by whoever opens it first).</summary>
    public string ConnectionString(string database) => Server.ConnectionString.Replace("Database=jobsdb", $"Database={database}", StringComparison.Ordinal);

    public void Dispose() => Server.Dispose();
}

/// <summary>The job database's EF Core migrations, on Debian's PostgreSQL: a fresh database, and one from before migrations.</summary>
public sealed class JobsSchemaTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public void The_model_has_no_change_that_lacks_a_migration()
    {
        using var db = new JobsDbDesignTimeFactory().CreateDbContext([]);
        Assert.False(db.Database.HasPendingModelChanges(), "JobsDbContext changed: add a migration (dotnet ef migrations add NAME -p services/jobs -o Jobs/Migrations)");
    }

    [Fact]
    public async Task A_fresh_database_is_created_by_the_migrations_and_holds_jobs()
    {
        using var services = Services(postgres.ConnectionString("jobs_fresh"));
        var store = Store(services);

        await store.MigrateAsync(Ct);

        await AssertFullyMigratedAsync(services);
        var job = new JobRow { Id = Guid.NewGuid(), Owner = "alice", OptionsJson = "{}", InputsJson = "[]", SubmittedAt = DateTimeOffset.UtcNow };
        await store.AddAsync(job, Ct);
        Assert.Equal("alice", (await store.FindAsync(job.Id, Ct))?.Owner);
    }

    [Fact]
    public async Task An_artifact_a_job_names_as_output_is_its_owners_to_download_and_recording_it_again_is_harmless()
    {
        using var services = Services(postgres.ConnectionString("jobs_output_refs"));
        var store = Store(services);
        await store.MigrateAsync(Ct);
        const string wav = "artifacts/extract-audio/k1/audio.wav", csv = "artifacts/au-extract/k2/au.csv";

        await store.AddOutputReferencesAsync(Guid.NewGuid(), "alice", [wav, csv, wav], Ct);
        await store.AddOutputReferencesAsync(Guid.NewGuid(), "alice", [wav], Ct); // a resumed job, or another job of hers on the same clip
        await store.AddOutputReferencesAsync(Guid.NewGuid(), "bob", [csv], Ct);

        Assert.True(await store.IsOutputOfAsync("alice", wav, Ct));
        Assert.True(await store.IsOutputOfAsync("alice", csv, Ct));
        Assert.True(await store.IsOutputOfAsync("bob", csv, Ct));
        Assert.False(await store.IsOutputOfAsync("bob", wav, Ct));
        Assert.False(await store.IsOutputOfAsync("alice", "artifacts/extract-audio/k1/manifest.json", Ct));
    }

    [Fact]
    public async Task A_database_from_before_migrations_is_upgraded_without_losing_its_jobs()
    {
        var connectionString = postgres.ConnectionString("jobs_before_migrations");
        var (running, done) = (Guid.NewGuid(), Guid.NewGuid());
        await CreatePreviousVersionDatabaseAsync(connectionString, running, done);
        using var services = Services(connectionString);
        var store = Store(services);

        await store.MigrateAsync(Ct);
        await store.MigrateAsync(Ct); // the next start finds nothing to do

        await AssertFullyMigratedAsync(services);
        await using (var scope = services.CreateAsyncScope())
            Assert.Equal(JobsSchema.Baseline, (await scope.ServiceProvider.GetRequiredService<JobsDbContext>().Database.GetAppliedMigrationsAsync(Ct)).First());
        var unfinished = Assert.Single(await store.RunningAsync(Ct));
        Assert.Equal((running, "bob", 2, 3, 1), (unfinished.Id, unfinished.Owner, unfinished.Run, unfinished.FilesTotal, unfinished.FilesDone));
        var finished = await store.FindAsync(done, Ct);
        Assert.NotNull(finished);
        Assert.True(finished.Completed);
        Assert.Equal("""[{"relativePath":"a/a.csv"}]""", finished.OutputsJson);
        var events = await store.EventsAsync(running, 2, Ct);
        Assert.Equal(["a.mp4", "b.mp4"], events.Select(e => e.File));
    }

    /// <summary>What the job service before migrations left behind: its tables (frozen SQL) and its rows.</summary>
    private static async Task CreatePreviousVersionDatabaseAsync(string connectionString, Guid running, Guid done)
    {
        var target = new NpgsqlConnectionStringBuilder(connectionString);
        await using (var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres" }.ConnectionString))
        {
            await admin.OpenAsync(Ct);
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{target.Database}\"", admin);
            await create.ExecuteNonQueryAsync(Ct);
        }
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Ct);
        var schema = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Schema", "before-migrations.sql"), Ct);
        await using (var tables = new NpgsqlCommand(schema, connection)) await tables.ExecuteNonQueryAsync(Ct);
        const string insertJob = """
            INSERT INTO jobs ("Id","Owner","OptionsJson","InputsJson","SubmittedAt","Run","Completed","CompletedAt","FilesTotal","FilesDone","FilesFailed","ErrorsJson","OutputsJson")
            VALUES (@id, @owner, '{}', '[]', now(), @run, @completed, @completedAt, 3, @filesDone, 0, '[]', @outputs)
            """;
        foreach (var (id, owner, run, completed, filesDone, outputs) in new[] { (running, "bob", 2, false, 1, "[]"), (done, "carol", 1, true, 3, """[{"relativePath":"a/a.csv"}]""") })
        {
            await using var insert = new NpgsqlCommand(insertJob, connection);
            insert.Parameters.AddWithValue("id", id);
            insert.Parameters.AddWithValue("owner", owner);
            insert.Parameters.AddWithValue("run", run);
            insert.Parameters.AddWithValue("completed", completed);
            insert.Parameters.AddWithValue("completedAt", completed ? DateTimeOffset.UtcNow : DBNull.Value);
            insert.Parameters.AddWithValue("filesDone", filesDone);
            insert.Parameters.AddWithValue("outputs", outputs);
            await insert.ExecuteNonQueryAsync(Ct);
        }
        for (var sequence = 0; sequence < 2; sequence++)
        {
            await using var insert = new NpgsqlCommand("""INSERT INTO job_events ("JobId","Run","Sequence","Event") VALUES (@id, 2, @sequence, @event)""", connection);
            insert.Parameters.AddWithValue("id", running);
            insert.Parameters.AddWithValue("sequence", sequence);
            insert.Parameters.AddWithValue("event", new JobEvent { File = sequence == 0 ? "a.mp4" : "b.mp4" }.ToByteArray());
            await insert.ExecuteNonQueryAsync(Ct);
        }
    }

    private static async Task AssertFullyMigratedAsync(ServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<JobsDbContext>();
        Assert.Empty(await db.Database.GetPendingMigrationsAsync(Ct));
        Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync(Ct));
    }

    private static ServiceProvider Services(string connectionString) =>
        new ServiceCollection().AddLogging().AddDbContext<JobsDbContext>(o => o.UseNpgsql(connectionString)).BuildServiceProvider();

    private static JobStore Store(ServiceProvider services) =>
        new(services.GetRequiredService<IServiceScopeFactory>(), NullLogger<JobStore>.Instance);
}
