using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace MerFactory.AppHost;

/// <summary>The PostgreSQL database services keep durable state in (jobs), and the server that holds it.</summary>
internal sealed record Database(IResourceBuilder<IResourceWithConnectionString> ConnectionString, IResourceBuilder<IResource> Server);

internal static class DatabaseExtensions
{
    /// <summary>The resource name of the database; services read it as <c>ConnectionStrings:jobsdb</c>.</summary>
    public const string DatabaseName = "jobsdb";
    private const string UserName = "merfactory";

    /// <summary>PostgreSQL in a container (Aspire.Hosting.PostgreSQL, data on a named volume).</summary>
    public static Database AddPostgresContainer(this IDistributedApplicationBuilder builder)
    {
        var server = builder.AddPostgres("postgres").WithDataVolume().WithLifetime(ContainerLifetime.Persistent);
        return new Database(server.AddDatabase(DatabaseName), server);
    }

    /// <summary>
    /// Debian's PostgreSQL as a plain process on loopback (tools/postgres/run.sh: initdb into the state folder on the
    /// first start, then postgres). The password is a secret parameter, generated once and kept in user secrets.
    /// </summary>
    public static Database AddPostgresExecutable(this IDistributedApplicationBuilder builder, IConfiguration settings, string stateDirectory, string toolsDirectory)
    {
        var port = settings.GetValue("DatabasePort", 15410);
        var password = builder.AddParameter("postgres-password",
            new GenerateParameterDefault { MinLength = 24, Special = false }, secret: true, persist: true);
        var connectionString = builder.AddConnectionString(DatabaseName,
            ReferenceExpression.Create($"Host=127.0.0.1;Port={port.ToString()};Username={UserName};Password={password};Database={DatabaseName}"));
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration("postgres-sql", _ => new PostgresHealthCheck(connectionString.Resource), null, null));
        var server = builder.AddExecutable("postgres", "bash", Path.Combine(toolsDirectory, "postgres"),
                "run.sh", Path.Combine(stateDirectory, "postgres"), port.ToString(), DatabaseName)
            .WithEnvironment("POSTGRES_USER", UserName)
            .WithEnvironment("POSTGRES_PASSWORD", password)
            .WithHealthCheck("postgres-sql");
        return new Database(connectionString, server);
    }

    /// <summary>The service keeps state in the database: its connection string, and it starts once the database answers.</summary>
    public static IResourceBuilder<ProjectResource> WithDatabase(this IResourceBuilder<ProjectResource> service, Database database) =>
        service.WithReference(database.ConnectionString).WaitFor(database.Server);
}

/// <summary>Healthy once the server accepts the AppHost's credentials and answers a query (not merely a TCP connection).</summary>
internal sealed class PostgresHealthCheck(IResourceWithConnectionString database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var connectionString = await database.GetConnectionStringAsync(cancellationToken);
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("PostgreSQL does not answer: " + e.Message);
        }
    }
}
