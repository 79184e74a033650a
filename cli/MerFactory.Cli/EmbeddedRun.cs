using MassTransit;
using MerFactory.Jobs.Messaging;
using MerFactory.Llm.Routing;
using MerFactory.Pipeline.Consumers;
using MerFactory.Pipeline.Orchestration;
using MerFactory.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace MerFactory.Cli;

/// <summary>
/// The embedded default: the whole pipeline in this process — MassTransit's in-memory transport and a
/// filesystem object store inside OUTPUT — with the same consumers the services host.
/// </summary>
internal static class EmbeddedRun
{
    public static async Task<int> RunAsync(JobOptions options, LlmCliFlags flags, string inputPath, string outputPath, CancellationToken cancellationToken)
    {
        var console = AnsiConsole.Console;
        console.MarkupLine($"MERR CLI - Mode: [bold]{options.Type}[/] | Task: [bold]{(options.Task == TaskKind.MERR ? "MERR" : "Sentiment Analysis")}[/]");
        IReadOnlyList<InputFile> inputs;
        OutputFolder output;
        IDisposable runLock;
        try
        {
            output = new OutputFolder(outputPath);
            inputs = InputDiscovery.Discover(inputPath);
            runLock = output.AcquireRunLock();
        }
        catch (Exception e) when (e is InputDiscoveryException or OutputFolderException)
        {
            console.MarkupLineInterpolated($"[red]{e.Message}[/]");
            return 1;
        }
        using var _ = runLock;
        if (!options.Silent) console.WriteLine($"Found {inputs.Count} file(s).");
        if (output.RemoveLeftovers() is > 0 and var removed && !options.Silent) console.WriteLine($"Removed {removed} half-written file(s) of an interrupted run.");

        // Resolved once up front: a missing key or a bad route is reported before any work starts.
        LlmRoutingOptions routing;
        try
        {
            routing = LlmRouting.FromCliFlags(flags);
        }
        catch (ArgumentException e)
        {
            console.MarkupLineInterpolated($"[red]Error: {e.Message}[/]");
            return 1;
        }
        console.WriteLine(routing.Default is null && routing.Steps.Count == 0
            ? "LLM: none configured (no model flag, no GOOGLE_API_KEY): AU and transcripts are produced, LLM steps are skipped."
            : $"LLM: {routing.Description}");

        var progress = ConsoleJobProgress.Create(console, options.Silent);

        using var host = BuildHost(options, flags, output, inputs);
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        RunSummary summary;
        try
        {
            summary = await progress.RunAsync(() => host.Services.GetRequiredService<JobRunner>().RunAsync(inputs, options, output, progress, cancellationToken)).ConfigureAwait(false);
        }
        finally
        {
            await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }

        console.WriteLine();
        console.WriteLine($"Total files attempted: {summary.Total}");
        console.MarkupLine($"[green]✅ Successful: {summary.Succeeded}[/]");
        if (summary.Skipped > 0) console.MarkupLine($"⏭️ Skipped (Cached): {summary.Skipped}");
        foreach (var noted in summary.Files.Where(f => f.Notes is { Count: > 0 }))
            console.MarkupLineInterpolated($"   [yellow]{noted.RelativePath}: {string.Join("; ", noted.Notes!)}[/]");
        if (summary.Failed > 0)
        {
            console.MarkupLine($"[red]❌ Failed: {summary.Failed}[/]");
            foreach (var failed in summary.Files.Where(f => f.Status == FileStatus.Failed))
                console.MarkupLineInterpolated($"   [red]{failed.Error}[/]");
            console.WriteLine($"Error logs saved in: {output.ErrorLogs}");
        }
        return summary.Failed > 0 ? 1 : 0;
    }

    /// <summary>The in-process pipeline host for one run (also what the dashboard's run builder starts).</summary>
    public static IHost BuildHost(JobOptions options, LlmCliFlags flags, OutputFolder output, IReadOnlyList<InputFile> inputs)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        // Model locations and engine settings, e.g. AuModels__ModelsDirectory (see `merfactory models`).
        builder.Configuration.AddEnvironmentVariables();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        // Step failures are reported per file by the run itself; the transport's own fault logs would repeat them.
        builder.Logging.AddFilter("MassTransit", LogLevel.None);
        builder.Services.AddObjectStore(new ObjectStoreOptions { Provider = "FileSystem", Root = output.StoreRoot });
        builder.Services.AddMerFactoryMessaging(new MessagingOptions { Transport = "InMemory", RetryLimit = 1, RetryMinInterval = TimeSpan.FromMilliseconds(200) },
            (bus, messaging) =>
            {
                bus.AddMediaExtractConsumers(messaging);
                bus.AddAuServiceConsumers(messaging, concurrentRequests: 64);
                bus.AddTranscribeConsumers(messaging);
                bus.AddLlmConsumers(messaging);
            });
        // --cache turns on the LLM response cache (spec §1.7 C); without it every LLM step reaches the model again.
        builder.Configuration[$"{LlmRoutingOptions.SectionName}:CacheEnabled"] = options.Cache ? "true" : "false";
        builder.Services.AddMediaEngines();
        builder.Services.AddAuEngines(builder.Configuration);
        // The AU models load while the first files are probed, not when the first video asks for them.
        if (inputs.Any(i => JobRunner.EffectiveType(i, options) is ProcessingType.AU or ProcessingType.MER or ProcessingType.Image))
            builder.Services.AddHostedService<ActionUnitEngineWarmUp>();
        if (inputs.Any(i => JobRunner.EffectiveType(i, options) is ProcessingType.Audio or ProcessingType.Video or ProcessingType.MER))
            builder.Services.AddSpeechEngineWarmUp(options.SpeechEngine, options.Language);
        builder.Services.AddSpeechEngines(builder.Configuration);
        builder.Services.AddLlmSteps(builder.Configuration, configured => LlmRouting.FromCliFlags(flags, null, configured));
        builder.Services.AddJobOrchestration();
        return builder.Build();
    }
}
