using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace MerFactory.Dashboard.Data;

// EF Core migrations are provider-specific (column types, schema, SQL), so each provider has its own context type and
// its own migrations folder (Data/Migrations/Sqlite, Data/Migrations/Postgres): a migration set belongs to the context
// named in its [DbContext] attribute, so the two never mix. The model itself is CurationDb's, shared by both. Add a
// migration to both sets whenever the model changes (see the README's "Curation database" section for the commands).

/// <summary>The embedded dashboard's curation database (SQLite).</summary>
public sealed class SqliteCurationDb(DbContextOptions<SqliteCurationDb> options) : CurationDb(options)
{
    public static void Configure(DbContextOptionsBuilder builder, string path) => builder.UseSqlite($"Data Source={path};Pooling=True");
}

/// <summary>The AppHost dashboard's curation database: PostgreSQL, schema <c>curation</c>, its migration history there too.</summary>
public sealed class PostgresCurationDb(DbContextOptions<PostgresCurationDb> options) : CurationDb(options)
{
    public static void Configure(DbContextOptionsBuilder builder, string connectionString) =>
        builder.UseNpgsql(connectionString, npgsql => npgsql.MigrationsHistoryTable("__EFMigrationsHistory", Schema));
}

/// <summary>The services ask for <see cref="CurationDb"/>; this hands them the configured provider's context.</summary>
internal sealed class CurationDbFactory<TContext>(IDbContextFactory<TContext> inner) : IDbContextFactory<CurationDb> where TContext : CurationDb
{
    public CurationDb CreateDbContext() => inner.CreateDbContext();

    public async Task<CurationDb> CreateDbContextAsync(CancellationToken cancellationToken = default) => await inner.CreateDbContextAsync(cancellationToken);
}

/// <summary>For <c>dotnet ef migrations add … --context SqliteCurationDb</c> (the database is never opened).</summary>
internal sealed class SqliteCurationDbDesignFactory : IDesignTimeDbContextFactory<SqliteCurationDb>
{
    public SqliteCurationDb CreateDbContext(string[] args)
    {
        var builder = new DbContextOptionsBuilder<SqliteCurationDb>();
        SqliteCurationDb.Configure(builder, "design-time.db");
        return new SqliteCurationDb(builder.Options);
    }
}

/// <summary>For <c>dotnet ef migrations add … --context PostgresCurationDb</c> (the database is never opened).</summary>
internal sealed class PostgresCurationDbDesignFactory : IDesignTimeDbContextFactory<PostgresCurationDb>
{
    public PostgresCurationDb CreateDbContext(string[] args)
    {
        var builder = new DbContextOptionsBuilder<PostgresCurationDb>();
        PostgresCurationDb.Configure(builder, "Host=localhost;Database=design-time");
        return new PostgresCurationDb(builder.Options);
    }
}
