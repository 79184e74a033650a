using System.Text.Json;
using MerFactory.Dashboard.Curation;
using MerFactory.Dashboard.Data;
using MerFactory.Dashboard.Export;
using MerFactory.Dashboard.Preferences;
using MerFactory.Dashboard.Prompts;
using MerFactory.Dashboard.Records;
using MerFactory.Dashboard.Runs;
using MerFactory.Export;
using MerFactory.Llm;
using MerFactory.Llm.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MerFactory.Dashboard;

public static class DashboardServices
{
    /// <summary>
    /// Registers the dashboard: curation database (SQLite under <c>OUTPUT_DIR/.merfactory/</c> or PostgreSQL), the record
    /// folders (a folder unless an <see cref="IRecordFiles"/> is registered), the LLM gateway for the prompt lab
    /// (<paramref name="routing"/>; none = prompts are answered "skipped"), and the services behind the API.
    /// </summary>
    public static IServiceCollection AddMerFactoryDashboard(this IServiceCollection services, DashboardOptions options, LlmRoutingOptions? routing = null)
    {
        services.AddSingleton(Options.Create(options));
        if (options.Database.Equals("postgres", StringComparison.OrdinalIgnoreCase))
        {
            var connectionString = options.ConnectionString ?? throw new InvalidOperationException("Dashboard:ConnectionString is required with Database=postgres.");
            services.AddDbContextFactory<PostgresCurationDb>(db => PostgresCurationDb.Configure(db, connectionString));
            services.AddSingleton<IDbContextFactory<CurationDb>, CurationDbFactory<PostgresCurationDb>>();
        }
        else
        {
            Directory.CreateDirectory(options.CurationDirectory);
            services.AddDbContextFactory<SqliteCurationDb>(db => SqliteCurationDb.Configure(db, Path.Combine(options.CurationDirectory, "curation.db")));
            services.AddSingleton<IDbContextFactory<CurationDb>, CurationDbFactory<SqliteCurationDb>>();
        }
        services.TryAddSingleton<IRecordFiles>(_ => new FolderRecordFiles(options.OutputDir));
        // Built now, not on first use: a bad run name stops the start with its reason.
        if (!services.Any(s => s.ServiceType == typeof(ComparisonRuns)))
            services.AddSingleton(new ComparisonRuns(options.Name ?? ComparisonRuns.NameFor(options.OutputDir),
                options.Compare.Select(run => new ComparisonRun(run.Key, new FolderRecordFiles(run.Value)))));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new SourceClipCache(options.SourceCache, sp.GetRequiredService<TimeProvider>(), sp.GetService<ILogger<SourceClipCache>>()));
        services.TryAddSingleton<ILlmGateway>(sp => new LlmGateway(routing ?? new LlmRoutingOptions(), null, sp.GetService<ILogger<LlmGateway>>(), sp.GetService<TimeProvider>()));
        services.AddSingleton<RecordIndexer>();
        services.AddSingleton<RecordDetailsReader>();
        services.AddSingleton<CurationService>();
        services.AddSingleton<PreferenceService>();
        services.AddSingleton<PromptLab>();
        services.AddSingleton(sp => new RunTracker(sp.GetService<IRunLauncher>(), sp.GetRequiredService<PromptLab>(), sp.GetRequiredService<RecordIndexer>(),
            sp.GetRequiredService<IOptions<DashboardOptions>>(), sp.GetRequiredService<ILogger<RunTracker>>()));
        services.AddSingleton(sp => new ExportRunner(sp.GetService<ILogger<ExportRunner>>()));
        services.AddSingleton<CuratedExport>();
        services.AddHostedService<DashboardStartup>();
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "merfactory_af";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.HeaderName = "X-CSRF-TOKEN";
        });
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
        return services;
    }
}

/// <summary>Brings the curation schema up to date (migrations), prunes the clip cache and indexes the dataset before the server takes requests.</summary>
internal sealed class DashboardStartup(IDbContextFactory<CurationDb> dbFactory, RecordIndexer indexer, SourceClipCache sources) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        sources.Prune();
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            await CurationMigrations.MigrateAsync(db, cancellationToken);
            // WAL lets the page read while an edit is written.
            if (db.Database.IsSqlite()) await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
        await indexer.SyncAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
