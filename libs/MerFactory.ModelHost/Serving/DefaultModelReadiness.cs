using MerFactory.ModelHost.Telemetry;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MerFactory.ModelHost.Serving;

/// <summary>
/// Loads the default model when the host starts (in the background, so the HTTP surface answers meanwhile) and
/// reports readiness: llama-server's <c>/health</c> is 503 "loading model" until then, and so is ours.
/// </summary>
public sealed partial class DefaultModelReadiness(LocalModelHost host, IOptions<ModelHostOptions> options, ModelHostMetrics metrics, ILogger<DefaultModelReadiness> logger) : BackgroundService
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the default model has loaded (faults when it cannot).</summary>
    public Task Ready => _ready.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        metrics.Observe(() => host.Slots.Waiting, () => host.Slots.Busy, () => host.Pool.Loaded.Count);
        if (options.Value.DefaultModel is not { Length: > 0 } model)
        {
            _ready.TrySetResult();
            return;
        }
        try
        {
            using var lease = await host.Pool.AcquireAsync(model, stoppingToken).ConfigureAwait(false);
            _ready.TrySetResult();
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            _ready.TrySetCanceled(stoppingToken);
        }
        catch (Exception ex)
        {
            LogDefaultModelFailed(ex, model);
            _ready.TrySetException(ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The default model {Model} could not be loaded")]
    private partial void LogDefaultModelFailed(Exception exception, string model);
}

/// <summary>Healthy once the default model has loaded; degraded to unhealthy (503) while loading or after a failed load.</summary>
public sealed class DefaultModelHealthCheck(DefaultModelReadiness readiness) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(readiness.Ready.Status switch
        {
            TaskStatus.RanToCompletion => HealthCheckResult.Healthy("default model loaded"),
            TaskStatus.Faulted => HealthCheckResult.Unhealthy("default model failed to load: " + readiness.Ready.Exception!.InnerException!.Message),
            _ => HealthCheckResult.Unhealthy("loading model"),
        });
}
