using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace MerFactory.JobApi.Jobs;

/// <summary>
/// How <c>dotnet ef migrations add</c> builds the context without starting the service (which needs the AppHost's
/// connection string). Adding a migration never connects; the connection string only names the provider.
/// </summary>
public sealed class JobsDbDesignTimeFactory : IDesignTimeDbContextFactory<JobsDbContext>
{
    public JobsDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<JobsDbContext>().UseNpgsql("Host=localhost;Database=jobsdb").Options);
}
