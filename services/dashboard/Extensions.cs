using MerFactory.Dashboard;
using MerFactory.Dashboard.Preferences;
using MerFactory.Dashboard.Records;
using MerFactory.Dashboard.Runs;
using MerFactory.JobClient;
using MerFactory.Llm.Routing;
using MerFactory.Storage;

namespace MerFactory.DashboardService;

/// <summary>Where the dashboard resource finds its dataset (section <c>Dashboard</c>).</summary>
public sealed class DashboardServiceOptions
{
    /// <summary>The dataset's prefix in the object store, e.g. a distributed job's <c>jobs/{owner}/{id}/output/</c>; runs started from the dashboard are added to it by reference.</summary>
    public string StorePrefix { get; set; } = "datasets/default/";
}

/// <summary>
/// The job API the run builder starts jobs on (section <c>JobApi</c>): the AppHost passes its address (the <c>jobs</c>
/// resource's reference) and the clients' token (the <c>api-token</c> secret parameter). Without both there is no runner.
/// </summary>
public sealed class JobApiClientOptions
{
    public const string SectionName = "JobApi";

    /// <summary>Default: the AppHost's reference to the <c>jobs</c> resource (<c>services:jobs:grpc:0</c>).</summary>
    public string? Url { get; set; }

    public string? Token { get; set; }
}

internal static class Extensions
{
    /// <summary>
    /// The dashboard as an AppHost resource: records and media from the object store, curation in PostgreSQL
    /// (<c>ConnectionStrings:jobsdb</c>), the prompt lab through the <c>LlmGateway</c> section's backends.
    /// </summary>
    public static void AddDashboardService(this WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults();
        // Under the AppHost the HTTP port comes from the resource's endpoint. The dashboard stays on loopback, except
        // in a container (whose loopback no port mapping reaches) when a token gates every request.
        if (int.TryParse(builder.Configuration["MERFACTORY_HTTP_PORT"], out var port))
        {
            var inContainer = string.Equals(builder.Configuration["DOTNET_RUNNING_IN_CONTAINER"], "true", StringComparison.OrdinalIgnoreCase);
            var gated = builder.Configuration[$"{DashboardOptions.SectionName}:Token"] is { Length: > 0 };
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                if (inContainer && gated) kestrel.ListenAnyIP(port);
                else kestrel.ListenLocalhost(port);
            });
        }

        var section = builder.Configuration.GetSection(DashboardOptions.SectionName);
        var options = section.Get<DashboardOptions>() ?? new DashboardOptions();
        var storePrefix = section.Get<DashboardServiceOptions>()?.StorePrefix ?? new DashboardServiceOptions().StorePrefix;
        if (builder.Configuration.GetConnectionString("jobsdb") is { Length: > 0 } connectionString)
        {
            options.Database = "postgres";
            options.ConnectionString = connectionString;
        }
        builder.Services.AddObjectStore(builder.Configuration);
        builder.Services.AddSingleton<IRecordFiles>(sp => new ObjectStoreRecordFiles(sp.GetRequiredService<IObjectStore>(), storePrefix, sp.GetRequiredService<SourceClipCache>()));
        // Dashboard:Compare:{name} = another dataset's prefix in the same store (e.g. another job's output).
        foreach (var name in options.Compare.Keys) ComparisonRuns.ValidName(name);
        builder.Services.AddSingleton(sp => new ComparisonRuns(options.Name ?? ComparisonRuns.NameFor(storePrefix.TrimEnd('/')),
            options.Compare.Select(run => new ComparisonRun(run.Key, new ObjectStoreRecordFiles(sp.GetRequiredService<IObjectStore>(), run.Value, sp.GetRequiredService<SourceClipCache>())))));
        // The run builder: jobs on the job API, their records put where this dashboard reads them (the same launcher
        // as `merfactory dashboard --server`).
        var jobApi = builder.Configuration.GetSection(JobApiClientOptions.SectionName).Get<JobApiClientOptions>() ?? new JobApiClientOptions();
        if ((jobApi.Url ?? builder.Configuration["services:jobs:grpc:0"]) is { Length: > 0 } jobApiUrl && jobApi.Token is { Length: > 0 } jobApiToken)
        {
            builder.Services.AddSingleton<IRunLauncher>(sp => new JobApiRunLauncher(new JobApiServer(jobApiUrl, jobApiToken), outputDir: null,
                store: new StoreDestination(sp.GetRequiredService<IObjectStore>(), storePrefix)));
        }
        var routing = builder.Configuration.GetSection(LlmRoutingOptions.SectionName).Get<LlmRoutingOptions>();
        builder.Services.AddMerFactoryDashboard(options, routing);
    }
}
