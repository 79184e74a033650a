using System.Globalization;
using MassTransit;
using MerFactory.Compute;
using MerFactory.AuEngine;
using MerFactory.AuEngine.Models;
using MerFactory.AuEngine.Pipeline;
using MerFactory.Contracts;
using MerFactory.Contracts.Au;
using MerFactory.Facs.Analysis;
using MerFactory.Facs.OpenFace;
using MerFactory.Jobs.Messaging;
using MerFactory.Jobs.Steps;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MerFactory.Steps;

namespace MerFactory.Pipeline.Consumers;

/// <summary>
/// One AU engine per process: models load once (about a second of CPU), then every request shares it. The engine
/// runs its frame chunks on <see cref="ComputeScheduler.Shared"/>, so two videos do not compete for the cores: the
/// earlier file's chunks go first, and a photo is one small unit.
/// </summary>
public sealed class ActionUnitEngineHost : IDisposable
{
    private readonly Lazy<Task<ActionUnitEngine>> _engine;

    public ActionUnitEngineHost(AuModelOptions models, AuEngineOptions options)
    {
        // Loading is CPU work like any other: it queues for a core in the order of whoever needs it first.
        _engine = new(() => ComputeScheduler.Shared.RunAsync(ComputeClass.Gating, () => ActionUnitEngine.Create(models, options)));
    }

    /// <summary>Starts loading the models now (service start), so the first file does not wait for them.</summary>
    public Task<ActionUnitEngine> WarmUpAsync() => _engine.Value;

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

/// <summary>Loads the AU models when the host starts; a failure here is only logged, each file then reports it.</summary>
public sealed partial class ActionUnitEngineWarmUp(ActionUnitEngineHost engine, ILogger<ActionUnitEngineWarmUp> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var loaded = await engine.WarmUpAsync().WaitAsync(stoppingToken).ConfigureAwait(false);
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

public sealed record AuExtractionResult(int Rows, int SuccessfulRows, bool NoFaceFound);

public sealed class ExtractActionUnitsConsumer(ArtifactStore artifacts, ActionUnitEngineHost engine, AuEngine.External.OpenFaceFeatureExtractionOptions openFace)
    : StepConsumer<ExtractActionUnits>(artifacts)
{
    protected override string Step => "au-extract";

    protected override IEnumerable<ObjectReference> Inputs(ExtractActionUnits request) => [request.Source];

    protected override object?[] Parameters(ExtractActionUnits request) =>
        UsesOpenFace ? [request.IsImage, request.SampleFps, request.AllFaces, "openface:" + openFace.ExecutablePath] : [request.IsImage, request.SampleFps, request.AllFaces];

    private bool UsesOpenFace => !string.IsNullOrWhiteSpace(openFace.ExecutablePath);

    protected override async Task<StepResult> ExecuteAsync(ExtractActionUnits request, StepWorkspace workspace, CancellationToken cancellationToken)
    {
        using var local = await workspace.Artifacts.GetLocalCopyAsync(request.Source, Path.GetExtension(request.Source.Key), cancellationToken).ConfigureAwait(false);
        if (UsesOpenFace) return await ExternalAsync(request, local.Path, workspace, cancellationToken).ConfigureAwait(false);
        var csv = Path.Combine(workspace.ScratchDirectory, "au.csv");
        var run = new AuRunOptions { AllFaces = request.AllFaces, SampleFps = request.SampleFps > 0 ? request.SampleFps : null, IncludeLandmarks = true };
        try
        {
            var result = await engine.UseAsync(async e =>
            {
                IAsyncEnumerable<AuFrameResult> rows;
                var noFace = false;
                if (request.IsImage)
                {
                    var image = await ComputeScheduler.Shared.RunAsync(() => e.AnalyzeImage(local.Path, run), cancellationToken).ConfigureAwait(false);
                    noFace = image.NoFaceFound;
                    // A photo without a face still gets its row (success = 0), as OpenFace writes for faceless frames.
                    IReadOnlyList<AuFrameResult> faces = noFace
                        ? [new AuFrameResult(1, 0, 0, 0, false, new double[e.IntensityNames.Count], new double[e.PresenceNames.Count])]
                        : image.Faces;
                    rows = faces.ToAsyncEnumerable();
                }
                else
                {
                    rows = e.AnalyzeVideoAsync(local.Path, run, cancellationToken);
                }
                var counted = new List<AuFrameResult>();
                await using (var writer = new StreamWriter(csv))
                {
                    await e.WriteOpenFaceCsvAsync(Tap(rows, counted), writer, cancellationToken, landmarkColumns: true).ConfigureAwait(false);
                }
                return new AuExtractionResult(counted.Count, counted.Count(r => r.Success), noFace || counted.All(r => !r.Success));
            }, cancellationToken).ConfigureAwait(false);
            await workspace.AddOutputFileAsync("au.csv", csv, "text/csv", cancellationToken).ConfigureAwait(false);
            return new StepResult(result);
        }
        catch (Exception e) when (e is InvalidDataException or ModelNotFoundException or CorruptModelException)
        {
            throw new StepInputException(e.Message.Replace(local.Path, request.FileId, StringComparison.Ordinal), e);
        }
    }

    /// <summary>OpenFace's own FeatureExtraction (MER-Factory's engine) writes the CSV; it is stored as it is.</summary>
    private async Task<StepResult> ExternalAsync(ExtractActionUnits request, string input, StepWorkspace workspace, CancellationToken cancellationToken)
    {
        var outputDirectory = Path.Combine(workspace.ScratchDirectory, "openface");
        AuEngine.External.OpenFaceRunResult run;
        try
        {
            run = await new AuEngine.External.OpenFaceFeatureExtraction(openFace).RunAsync(input, outputDirectory, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AuEngine.External.OpenFaceNotAvailableException or AuEngine.External.OpenFaceFailedException)
        {
            throw new StepInputException($"{request.FileId}: {e.Message}", e);
        }
        OpenFaceTable table;
        try
        {
            table = OpenFaceCsv.Read(run.CsvPath);
        }
        catch (OpenFaceCsvException e)
        {
            throw new StepInputException($"{request.FileId}: OpenFace's CSV is unusable: {e.Cause}", e);
        }
        await workspace.AddOutputFileAsync("au.csv", run.CsvPath, "text/csv", cancellationToken).ConfigureAwait(false);
        var successful = table.Frames.Count(f => f.Success);
        return new StepResult(new AuExtractionResult(table.Frames.Count, successful, successful == 0));
    }

    private static async IAsyncEnumerable<AuFrameResult> Tap(IAsyncEnumerable<AuFrameResult> rows, List<AuFrameResult> seen)
    {
        await foreach (var row in rows.ConfigureAwait(false))
        {
            seen.Add(row);
            yield return row;
        }
    }
}

/// <summary>What the FACS analysis found, for the pipeline's outputs (MER-Factory's AU JSON and MER fields).</summary>
public sealed record FacialExpressionResult(
    IReadOnlyList<string> ChronologicalEmotionPeaks,
    string OverallPeakAuDescription,
    int? PeakFrameNumber,
    double? PeakTimestamp,
    IReadOnlyDictionary<string, double> TopAusIntensities,
    string FirstFrameDescription,
    bool IsExpressive);

public sealed class AnalyzeFacialExpressionConsumer(ArtifactStore artifacts) : StepConsumer<AnalyzeFacialExpression>(artifacts)
{
    protected override string Step => "facs-analysis";

    protected override IEnumerable<ObjectReference> Inputs(AnalyzeFacialExpression request) => [request.AuCsv];

    protected override object?[] Parameters(AnalyzeFacialExpression request) => [request.Threshold, request.PeakDistance, request.SourcePath];

    protected override async Task<StepResult> ExecuteAsync(AnalyzeFacialExpression request, StepWorkspace workspace, CancellationToken cancellationToken)
    {
        using var local = await workspace.Artifacts.GetLocalCopyAsync(request.AuCsv, ".csv", cancellationToken).ConfigureAwait(false);
        OpenFaceTable table;
        try
        {
            table = OpenFaceCsv.Read(local.Path);
        }
        catch (OpenFaceCsvException e)
        {
            throw new StepInputException($"{request.FileId}: AU table unusable: {e.Cause}", e);
        }
        var analysis = FacialAnalysis.Analyze(table, new FacialAnalysisOptions { Threshold = request.Threshold, PeakDistanceFrames = request.PeakDistance });
        var document = AuAnalysisDocument.From(request.SourcePath, analysis);
        await workspace.AddOutputAsync("au_analysis.json", new MemoryStream(System.Text.Encoding.UTF8.GetBytes(document.ToJson())), "application/json", cancellationToken).ConfigureAwait(false);
        var peak = analysis.OverallPeak;
        return new StepResult(new FacialExpressionResult(
            analysis.ChronologicalEmotionPeaks,
            analysis.OverallPeakAuDescription,
            peak?.FrameNumber,
            peak?.Timestamp,
            peak?.TopAusIntensities.ToDictionary(kv => kv.Key, kv => kv.Value) ?? new Dictionary<string, double>(),
            table.Frames.Count > 0 ? FacialAnalysis.DescribeFrame(table, 0) : "Neutral expression.",
            analysis.IsExpressive));
    }
}

public static class AuConsumerRegistration
{
    /// <summary>The consumers au-service hosts, each on its step's queue.</summary>
    /// <param name="concurrentRequests">
    /// Requests taken at once. A service keeps this small so that other instances get the queued videos: one video
    /// already keeps every core busy, and the second slot lets a photo through while a video runs. In one process nothing else competes for the messages, so the embedded run takes them all
    /// and lets the engine host and the compute scheduler order the work (a copy waiting for an identical request
    /// would otherwise hold one of two slots).
    /// </param>
    public static IBusRegistrationConfigurator AddAuServiceConsumers(this IBusRegistrationConfigurator bus, MessagingOptions options, int concurrentRequests = 2)
    {
        bus.AddConsumer<ExtractActionUnitsConsumer>().Endpoint(e =>
        {
            e.Name = options.QueueName(StepQueues.For<ExtractActionUnits>());
            e.ConcurrentMessageLimit = concurrentRequests;
        });
        bus.AddConsumer<AnalyzeFacialExpressionConsumer>().Endpoint(e => e.Name = options.QueueName(StepQueues.For<AnalyzeFacialExpression>()));
        return bus;
    }

    public static string Invariant(double value) => value.ToString(CultureInfo.InvariantCulture);
}
