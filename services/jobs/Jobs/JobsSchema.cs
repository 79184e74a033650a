using System.Reflection;
using MerFactory.JobApi.Jobs.Migrations;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace MerFactory.JobApi.Jobs;

/// <summary>
/// Brings <c>jobsdb</c> to the current schema with EF Core migrations (<c>Jobs/Migrations</c>; add one with
/// <c>dotnet ef migrations add NAME -p services/jobs -o Jobs/Migrations</c> whenever <see cref="JobsDbContext"/> changes).
/// A new database is created by them; a database from before migrations (its tables were created from the model at
/// start, without a history) has exactly <see cref="InitialJobs"/>'s tables, so that migration is recorded as applied
/// and the later ones run on its rows.
/// </summary>
public static class JobsSchema
{
    public static readonly string Baseline = typeof(InitialJobs).GetCustomAttribute<MigrationAttribute>()!.Id;

    public static async Task MigrateAsync(JobsDbContext db, CancellationToken cancellationToken)
    {
        if (await db.Database.CanConnectAsync(cancellationToken)
            && !(await db.Database.GetAppliedMigrationsAsync(cancellationToken)).Any()
            && await HasJobsTableAsync(db, cancellationToken))
        {
            // EF's own scripts for its history table; the only value in them is the migration id compiled in above.
            var history = db.GetService<IHistoryRepository>();
            var record = history.GetCreateIfNotExistsScript() + history.GetInsertScript(new HistoryRow(Baseline, ProductInfo.GetVersion()));
            await db.Database.ExecuteSqlRawAsync(record, cancellationToken);
        }
        // Creates the database if needed; jobsdb is shared (the dashboard's curation schema), which migrations leave alone.
        await db.Database.MigrateAsync(cancellationToken);
    }

    private static async Task<bool> HasJobsTableAsync(JobsDbContext db, CancellationToken cancellationToken) =>
        await db.Database.SqlQueryRaw<int>(
            "SELECT COUNT(*)::int AS \"Value\" FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'jobs'")
            .SingleAsync(cancellationToken) > 0;
}
