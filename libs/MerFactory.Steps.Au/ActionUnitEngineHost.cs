using MerFactory.AuEngine;
using MerFactory.AuEngine.Models;
using MerFactory.AuEngine.Pipeline;
using MerFactory.Compute;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MerFactory.Steps.Au;

/// <summary>
/// One AU engine per process: models load once (about a second of CPU), then every request shares it. The engine
/// runs its frame chunks on <see cref="ComputeScheduler.Shared"/>, so two videos do not compete for the cores: the
/// earlier file's chunks go first, and a photo is one small unit.
/// </summary>
public sealed class ActionUnitEngineHost : IDisposable
{
    private readonly Lazy<Task<ActionUnitEngine>> _engine;
    private readonly AuEngineOptions _options;

    public ActionUnitEngineHost(AuModelOptions models, AuEngineOptions options)
    {
        _options = options;
        // Loading is CPU work like any other: it queues for a core in the order of whoever needs it first.
        _engine = new(() => ComputeScheduler.Shared.RunAsync(ComputeClass.Gating, () => ActionUnitEngine.Create(models, options)));
    }

    /// <summary>Whether the models have begun to load (or have loaded).</summary>
    public bool LoadStarted => _engine.IsValueCreated;

    /// <summary>Starts loading the models now (service start), so the first file does not wait for them.</summary>
    public Task<ActionUnitEngine> WarmUpAsync() => _engine.Value;

    /// <summary>Opens a video with the engine's decoder, whether or not the models have loaded yet.</summary>
    public OpenedVideo OpenVideo(string path) => ActionUnitEngine.OpenVideo(path, _options);

    public async Task<T> UseAsync<T>(Func<ActionUnitEngine, Task<T>> work, CancellationToken cancellationToken)
    {
        var engine = await _engine.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        return await work(engine).ConfigureAwait(false);
    }

    public void Dispose()
    {
        if (_engine.IsValueCreated && _engine.Value.IsCompletedSuccessfully) _engine.Value.Result.Dispose();
    }
}

/// <summary>
/// Loads the AU models as the host starts; a failure here is only logged, each file then reports it. Loading begins
/// when this service is created: the host creates every hosted service before it starts any, and creating the
/// message bus's (registered later) takes as long as the models take to load, so they load side by side.
/// </summary>
public sealed partial class ActionUnitEngineWarmUp(ActionUnitEngineHost engine, ILogger<ActionUnitEngineWarmUp> logger) : BackgroundService
{
    private readonly Task<ActionUnitEngine> _loading = engine.WarmUpAsync();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var loaded = await _loading.WaitAsync(stoppingToken).ConfigureAwait(false);
            foreach (var note in loaded.CompiledModels)
            {
                // A corrupt or stale compiled model was rebuilt from the text (or could not be stored): say so and why.
                if (note.Outcome is CompiledModelOutcome.Rebuilt or CompiledModelOutcome.NotStored)
                    LogCompiledModelProblem(logger, note.Kind, note.Outcome, note.CompiledPath, note.Reason ?? "");
                else if (note.Outcome == CompiledModelOutcome.Compiled)
                    LogCompiledModelWritten(logger, note.Kind, note.CompiledPath);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogWarmUpFailed(logger, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "AU models not loaded at start: {Reason}")]
    private static partial void LogWarmUpFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Compiled model {Kind} {Outcome} ({Path}): {Reason}")]
    private static partial void LogCompiledModelProblem(ILogger logger, string kind, CompiledModelOutcome outcome, string path, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Compiled model {Kind} written to {Path} (later starts map it instead of parsing the text)")]
    private static partial void LogCompiledModelWritten(ILogger logger, string kind, string path);
}
