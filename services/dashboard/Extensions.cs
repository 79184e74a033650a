using MerFactory.Dashboard;
using MerFactory.Dashboard.Preferences;
using MerFactory.Dashboard.Records;
using MerFactory.Llm.Routing;
using MerFactory.Storage;

namespace MerFactory.DashboardService;

/// <summary>Where the dashboard resource finds its dataset (section <c>Dashboard</c>).</summary>
public sealed class DashboardServiceOptions
{
    /// <summary>The dataset's prefix in the object store, e.g. a distributed job's <c>jobs/{id}/output/</c>.</summary>
    public string StorePrefix { get; set; } = "datasets/";
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
        // Under the AppHost the HTTP port comes from the resource's endpoint; the dashboard stays on loopback.
        if (int.TryParse(builder.Configuration["MERFACTORY_HTTP_PORT"], out var port))
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenLocalhost(port));

        var section = builder.Configuration.GetSection(DashboardOptions.SectionName);
        var options = section.Get<DashboardOptions>() ?? new DashboardOptions();
        var storePrefix = section.Get<DashboardServiceOptions>()?.StorePrefix ?? "datasets/";
        if (builder.Configuration.GetConnectionString("jobsdb") is { Length: > 0 } connectionString)
        {
            options.Database = "postgres";
            options.ConnectionString = connectionString;
        }
        builder.Services.AddObjectStore(builder.Configuration);
        builder.Services.AddSingleton<IRecordFiles>(sp => new ObjectStoreRecordFiles(sp.GetRequiredService<IObjectStore>(), storePrefix));
        // Dashboard:Compare:{name} = another dataset's prefix in the same store (e.g. another job's output).
        foreach (var name in options.Compare.Keys) ComparisonRuns.ValidName(name);
        builder.Services.AddSingleton(sp => new ComparisonRuns(options.Name ?? ComparisonRuns.NameFor(storePrefix.TrimEnd('/')),
            options.Compare.Select(run => new ComparisonRun(run.Key, new ObjectStoreRecordFiles(sp.GetRequiredService<IObjectStore>(), run.Value)))));
        var routing = builder.Configuration.GetSection(LlmRoutingOptions.SectionName).Get<LlmRoutingOptions>();
        builder.Services.AddMerFactoryDashboard(options, routing);
    }
}
