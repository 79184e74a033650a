using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace MerFactory.Dashboard.Data;

/// <summary>Applies the curation database's migrations, adopting a database that an earlier version created without them.</summary>
public static class CurationMigrations
{
    /// <summary>
    /// Migrates <paramref name="db"/> to the latest schema. A database made before migrations existed (by EnsureCreated) has
    /// the tables but no history: its schema is the first migration's (the later ones are written to tolerate what such a
    /// database may already have), so that migration is recorded as applied and the rest run, keeping every rating and edit.
    /// </summary>
    public static async Task MigrateAsync(CurationDb db, CancellationToken cancellationToken)
    {
        if (await TablesExistAsync(db, cancellationToken) && !(await db.Database.GetAppliedMigrationsAsync(cancellationToken)).Any())
        {
            var history = db.GetService<IHistoryRepository>();
            await history.CreateIfNotExistsAsync(cancellationToken);
            var first = db.Database.GetMigrations().First();
            await db.Database.ExecuteSqlRawAsync(history.GetInsertScript(new HistoryRow(first, ProductInfo.GetVersion())), cancellationToken);
        }
        await db.Database.MigrateAsync(cancellationToken);
    }

    private static async Task<bool> TablesExistAsync(CurationDb db, CancellationToken cancellationToken)
    {
        var sql = db.Database.IsNpgsql()
            ? $"SELECT COUNT(*)::int AS \"Value\" FROM information_schema.tables WHERE table_schema = '{CurationDb.Schema}' AND table_name = 'Records'"
            : "SELECT COUNT(*) AS \"Value\" FROM sqlite_master WHERE type = 'table' AND name = 'Records'";
        return await db.Database.SqlQueryRaw<int>(sql).SingleAsync(cancellationToken) > 0;
    }
}
