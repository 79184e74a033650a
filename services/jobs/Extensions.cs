using MerFactory.Steps;
using MerFactory.Pipeline.Orchestration;
using MerFactory.Storage;
using MerFactory.JobApi.Grpc;
using MerFactory.JobApi.Jobs;

namespace MerFactory.JobApi;

internal static class Extensions
{
    /// <summary>The job API: object store, the bus (to send steps to the other services) and the shared orchestration.</summary>
    public static void AddJobApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddObjectStore(builder.Configuration);
        builder.Services.AddStepMessaging(builder.Configuration);
        builder.Services.AddJobOrchestration();
        builder.Services.AddOptions<JobApiOptions>().BindConfiguration(JobApiOptions.Section);
        builder.Services.AddSingleton<InFlightCounter>();
        builder.Services.AddSingleton<RateLimitInterceptor>();
        builder.Services.AddGrpc(o => o.Interceptors.Add<RateLimitInterceptor>());
        // Jobs outlive this process: PostgreSQL (ConnectionStrings:jobsdb, from the AppHost) holds them, and they resume on start.
        builder.AddNpgsqlDbContext<JobsDbContext>("jobsdb");
        builder.Services.AddSingleton<JobStore>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<JobStore>());
        builder.Services.AddSingleton<JobRegistry>();
        builder.Services.AddSingleton<JobExecutor>();
        builder.Services.AddHostedService<JobResumer>();
    }
}
