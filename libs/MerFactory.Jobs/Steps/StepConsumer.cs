using System.Diagnostics;
using MassTransit;
using MerFactory.Compute;
using MerFactory.Contracts;

namespace MerFactory.Jobs.Steps;

/// <summary>
/// Base of every step consumer: computes the step key, answers from the committed manifest when there is
/// one (redeliveries and re-runs do no work), otherwise runs the step, stores its outputs, commits the
/// manifest with the typed response and responds with it. The step's name is its request's <see cref="StepAttribute"/>.
/// </summary>
public abstract class StepConsumer<TRequest, TResponse>(ArtifactStore artifacts) : IConsumer<TRequest>
    where TRequest : class, IStepRequest<TResponse>
    where TResponse : class
{
    public static readonly ActivitySource Activity = StepTelemetry.Source;

    protected ArtifactStore Artifacts => artifacts;

    /// <summary>Step name, also the artifact folder and queue.</summary>
    protected static string Step { get; } = StepNames.Of<TRequest>();

    /// <summary>Bump when the step's outputs change for the same inputs, so old artifacts are not reused.</summary>
    protected virtual int Version => 1;

    protected abstract IEnumerable<ObjectReference> Inputs(TRequest request);

    protected virtual object?[] Parameters(TRequest request) => [];

    protected abstract Task<TResponse> ExecuteAsync(TRequest request, StepWorkspace workspace, CancellationToken cancellationToken);

    public async Task Consume(ConsumeContext<TRequest> context)
    {
        var request = context.Message;
        var key = StepKey.Compute(Step, Version, Inputs(request), Parameters(request));
        using var activity = Activity.StartActivity($"step {Step}");
        activity?.SetTag("merfactory.job_id", request.JobId.ToString());
        activity?.SetTag("merfactory.file_id", request.FileId);
        activity?.SetTag("merfactory.step_key", key);

        // The sender's place in the CPU queue (earlier files first), also lent to an identical request already running.
        var place = ComputeOrder.Parse(context.Headers.Get<object>(ComputeOrder.Header)) is { } order ? new QueuePlace(order) : ComputeOrder.CurrentPlace;
        using var ordered = ComputeOrder.Begin(place);
        using var exclusive = await StepKeyLocks.AcquireAsync($"{Step}/{key}", place, context.CancellationToken).ConfigureAwait(false);
        var manifest = await artifacts.TryGetManifestAsync<TResponse>(Step, key, context.CancellationToken).ConfigureAwait(false);
        var fromCache = manifest is not null;
        if (manifest is null)
        {
            var started = Stopwatch.GetTimestamp();
            var workspace = new StepWorkspace(artifacts, Step, key);
            try
            {
                var response = await ExecuteAsync(request, workspace, context.CancellationToken).ConfigureAwait(false);
                manifest = new StepManifest<TResponse>(Step, key, DateTimeOffset.UtcNow, response, workspace.Outputs,
                    Stopwatch.GetElapsedTime(started).TotalSeconds,
                    // MassTransit continues the sender's trace in the consume activity: the job's trace across services.
                    TraceIds.Current());
                await artifacts.CommitAsync(manifest, context.CancellationToken).ConfigureAwait(false);
            }
            finally
            {
                workspace.Dispose();
            }
        }
        activity?.SetTag("merfactory.from_cache", fromCache);
        if (fromCache) activity?.SetTag("merfactory.artifact_trace_id", manifest.TraceId);
        await context.RespondAsync(new StepCompleted<TResponse>(request.JobId, request.FileId, Step, key, fromCache, manifest.Response, manifest.TraceId)).ConfigureAwait(false);
    }
}

/// <summary>The activity source of step executions (one for every step consumer).</summary>
public static class StepTelemetry
{
    public static readonly ActivitySource Source = new("MerFactory.Steps");
}

/// <summary>Scratch folder and output registry of one step execution.</summary>
public sealed class StepWorkspace(ArtifactStore artifacts, string step, string key) : IDisposable
{
    private readonly List<ObjectReference> _outputs = [];
    private string? _scratch;

    /// <summary>Every object this execution stored, in the order stored.</summary>
    public IReadOnlyList<ObjectReference> Outputs => _outputs;

    public ArtifactStore Artifacts => artifacts;

    public string ScratchDirectory => _scratch ??= Directory.CreateTempSubdirectory($"mf-{step}-").FullName;

    public async Task<ObjectReference> AddOutputFileAsync(string name, string path, string contentType, CancellationToken cancellationToken)
    {
        var reference = await artifacts.PutOutputFileAsync(step, key, name, path, contentType, cancellationToken).ConfigureAwait(false);
        lock (_outputs) _outputs.Add(reference);
        return reference;
    }

    public async Task<ObjectReference> AddOutputAsync(string name, Stream content, string contentType, CancellationToken cancellationToken)
    {
        var reference = await artifacts.PutOutputAsync(step, key, name, content, contentType, cancellationToken).ConfigureAwait(false);
        lock (_outputs) _outputs.Add(reference);
        return reference;
    }

    public void Dispose()
    {
        if (_scratch is not null && Directory.Exists(_scratch)) Directory.Delete(_scratch, recursive: true);
    }
}
