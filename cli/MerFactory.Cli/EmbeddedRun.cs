using MassTransit;
using MerFactory.AuEngine.Pipeline;
using MerFactory.Jobs.Messaging;
using MerFactory.Llm.Routing;
using MerFactory.Pipeline.Orchestration;
using MerFactory.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Spectre.Console;
using MerFactory.Steps;
using MerFactory.Steps.Au;
using MerFactory.Steps.Llm;
using MerFactory.Steps.Media;
using MerFactory.Steps.Speech;

namespace MerFactory.Cli;

/// <summary>
/// The embedded default: the whole pipeline in this process — MassTransit's in-memory transport and a
/// filesystem object store inside OUTPUT — with the same consumers the services host.
/// </summary>
internal static class EmbeddedRun
{
    public static async Task<int> RunAsync(JobOptions options, LlmCliFlags flags, string inputPath, string outputPath, bool evidenceOnly, CancellationToken cancellationToken,
        bool evaluate = false, EmbeddedEngineChoices? engines = null)
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

        // --huggingface-model without a host URL: the model host runs in this process (loaded before any file starts).
        LocalModelHosting.Started hosting;
        try
        {
            hosting = await LocalModelHosting.StartIfNeededAsync(flags, console, cancellationToken).ConfigureAwait(false);
        }
        catch (LocalModelHostingException e)
        {
            console.MarkupLineInterpolated($"[red]Error: {e.Message}[/]");
            return 1;
        }
        await using var embeddedModel = hosting.Host;
        flags = hosting.Flags;

        // Resolved once up front: a missing key or a bad route is reported before any work starts.
        LlmRoutingOptions routing;
        try
        {
            routing = LlmRouting.FromCliFlags(flags);
        }
        catch (ArgumentException e)
        {
            console.MarkupLineInterpolated($"[red]Error: {e.Message}[/]");
            return CliExitCodes.Usage;
        }
        var noModel = routing.Default is null && routing.Steps.Count == 0;
        var needModel = inputs.Select(i => JobRunner.EffectiveType(i, options)).Where(t => t != ProcessingType.AU).Distinct().ToList();
        if (noModel && needModel.Count > 0 && !evidenceOnly)
        {
            // MER-Factory refuses to start here too: a run that writes no dataset record must be asked for.
            console.MarkupLineInterpolated($"[red]{NoModelMessage(needModel)}[/]");
            return CliExitCodes.Usage;
        }
        console.WriteLine(noModel
            ? "LLM: none (--evidence-only): AU, transcripts and frames are produced; no dataset record needs a model that is not there."
            : $"LLM: {routing.Description}");
        if (output.RemoveLeftovers() is > 0 and var removed && !options.Silent) console.WriteLine($"Removed {removed} half-written file(s) of an interrupted run.");
        var jobId = output.ResumeOrStartJob();

        var progress = ConsoleJobProgress.Create(console, options.Silent);
        // --evaluate: each record's {id}_eval.json is written as soon as its file finishes.
        var evaluating = evaluate ? new EvaluatingJobProgress(output.Root, options.Labels) : null;
        IJobProgress listener = evaluating is null ? progress : new CompositeJobProgress(progress, evaluating);

        using var host = BuildHost(options, flags, output, inputs, engines);
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        RunSummary summary;
        try
        {
            summary = await progress.RunAsync(() => host.Services.GetRequiredService<JobRunner>().RunAsync(inputs, options, output, listener, cancellationToken, jobId)).ConfigureAwait(false);
            // Finished: a next run is a new one (it asks the model again unless --cache); an interrupted run keeps its id.
            output.FinishJob();
        }
        finally
        {
            await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }

        console.WriteLine();
        console.WriteLine($"Total files attempted: {summary.Total}");
        console.MarkupLine($"[green]✅ Successful: {summary.Succeeded}[/]");
        if (summary.Skipped > 0) console.MarkupLine($"⏭️ Skipped (Cached): {summary.Skipped}");
        console.WriteLine($"Dataset records written: {summary.RecordsWritten} of {summary.Total}"
            + (summary.Total - summary.Failed - summary.RecordsWritten is > 0 and var evidence ? $" ({evidence} file(s) with evidence only: AU, transcripts, frames)" : ""));
        if (summary.SummaryWriteError is { } summaryError) console.MarkupLineInterpolated($"[red]run_summary.json not written: {summaryError}[/]");
        foreach (var noted in summary.Files.Where(f => f.Notes is { Count: > 0 }))
            console.MarkupLineInterpolated($"   [yellow]{noted.RelativePath}: {string.Join("; ", noted.Notes!)}[/]");
        foreach (var problem in evaluating?.Problems ?? []) console.MarkupLineInterpolated($"   [yellow]{problem}[/]");
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
    public static IHost BuildHost(JobOptions options, LlmCliFlags flags, OutputFolder output, IReadOnlyList<InputFile> inputs, EmbeddedEngineChoices? engines = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        // Model locations and engine settings, e.g. AuModels__ModelsDirectory (see `merfactory models`).
        builder.Configuration.AddEnvironmentVariables();
        // This run's engine choices (command-line options) go into this host's configuration, over the environment's.
        if (engines?.Landmarks is { } landmarks)
            builder.Configuration[$"{AuEngineOptions.SectionName}:{nameof(AuEngineOptions.Landmarks)}"] = landmarks.ToString();
        // MER-Factory's variable for an external OpenFace (also read from ./.env).
        if (Environment.GetEnvironmentVariable("OPENFACE_EXECUTABLE") is { Length: > 0 } openFace && builder.Configuration["OpenFace:ExecutablePath"] is null)
            builder.Configuration["OpenFace:ExecutablePath"] = openFace;
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        // Step failures are reported per file by the run itself; the transport's own fault logs would repeat them.
        builder.Logging.AddFilter("MassTransit", LogLevel.None);
        builder.Services.AddObjectStore(new ObjectStoreOptions { Provider = "FileSystem", Root = output.StoreRoot });
        // Answers always go to the LLM response cache; only --cache reads it (spec §1.7 C), so without it every LLM step of a
        // new run reaches the model again, while a restarted, interrupted run reuses its finished steps either way.
        builder.Configuration[$"{LlmRoutingOptions.SectionName}:CacheEnabled"] = "true";
        // Every step family, as the services host them one each. The AU models and the speech engine, when the run needs
        // them, load while the bus is built and the first files are probed: hosted services start in the order they are
        // added, so the warm-ups (added by the families) come before the bus, whose start takes as long as the AU models.
        var types = inputs.Select(i => JobRunner.EffectiveType(i, options)).ToHashSet();
        builder.Services.AddMediaSteps();
        builder.Services.AddAuSteps(builder.Configuration, concurrentRequests: 64,
            warmUp: types.Overlaps([ProcessingType.AU, ProcessingType.MER, ProcessingType.Image]));
        builder.Services.AddSpeechSteps(builder.Configuration,
            warmUp: types.Overlaps([ProcessingType.Audio, ProcessingType.Video, ProcessingType.MER]) ? options.SpeechEngine : null, options.Language);
        builder.Services.AddLlmSteps(builder.Configuration, configured => LlmRouting.FromCliFlags(flags, null, configured));
        builder.Services.AddStepMessaging(new MessagingOptions { Transport = "InMemory", RetryLimit = 1, RetryMinInterval = TimeSpan.FromMilliseconds(200) });
        builder.Services.AddJobOrchestration();
        return builder.Build();
    }

    private static string NoModelMessage(IReadOnlyList<ProcessingType> types) =>
        $"Error: --type {string.Join("/", types)} needs an LLM and none is configured. Choose one with --chatgpt-model (with OPENAI_API_KEY, " +
        "or --openai-base-url for an OpenAI-compatible server), --huggingface-model (hf-server, HF_API_BASE_URL), " +
        "--ollama-vision-model / --ollama-text-model (OLLAMA_HOST for a remote Ollama), or set GOOGLE_API_KEY for Gemini " +
        "(environment or ./.env). To produce only the evidence (AU, transcripts, frames) without dataset records, add --evidence-only.";
}

/// <summary>Engine choices of one embedded run (command-line options); null members leave the configuration's value.</summary>
internal sealed record EmbeddedEngineChoices(LandmarkMethod? Landmarks = null);
