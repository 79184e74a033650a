using System.Globalization;
using MassTransit;
using MerFactory.AuEngine;
using MerFactory.AuEngine.Models;
using MerFactory.AuEngine.Pipeline;
using MerFactory.Contracts;
using MerFactory.Contracts.Au;
using MerFactory.Facs.Analysis;
using MerFactory.Facs.OpenFace;
using MerFactory.Jobs.Messaging;
using MerFactory.Jobs.Steps;

namespace MerFactory.Pipeline.Consumers;

/// <summary>
/// One AU engine per process: models load once (about a second) and the engine already uses every core, so videos
/// take turns rather than competing. A photo is one frame: it never waits behind a video.
/// </summary>
public sealed class ActionUnitEngineHost(AuModelOptions models, AuEngineOptions options) : IDisposable
{
    private readonly Lazy<ActionUnitEngine> _engine = new(() => ActionUnitEngine.Create(models, options));
    private readonly SemaphoreSlim _turn = new(1, 1);

    public async Task<T> UseAsync<T>(Func<ActionUnitEngine, Task<T>> work, CancellationToken cancellationToken, bool takeTurn = true)
    {
        if (!takeTurn) return await work(_engine.Value).ConfigureAwait(false);
        await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await work(_engine.Value).ConfigureAwait(false);
        }
        finally
        {
            _turn.Release();
        }
    }

    public void Dispose()
    {
        if (_engine.IsValueCreated) _engine.Value.Dispose();
        _turn.Dispose();
    }
}

public sealed record AuExtractionResult(int Rows, int SuccessfulRows, bool NoFaceFound);

public sealed class ExtractActionUnitsConsumer(ArtifactStore artifacts, ActionUnitEngineHost engine) : StepConsumer<ExtractActionUnits>(artifacts)
{
    protected override string Step => "au-extract";

    protected override IEnumerable<ObjectReference> Inputs(ExtractActionUnits request) => [request.Source];

    protected override object?[] Parameters(ExtractActionUnits request) => [request.IsImage, request.SampleFps, request.AllFaces];

    protected override async Task<StepResult> ExecuteAsync(ExtractActionUnits request, StepWorkspace workspace, CancellationToken cancellationToken)
    {
        using var local = await workspace.Artifacts.GetLocalCopyAsync(request.Source, Path.GetExtension(request.Source.Key), cancellationToken).ConfigureAwait(false);
        var csv = Path.Combine(workspace.ScratchDirectory, "au.csv");
        var run = new AuRunOptions { AllFaces = request.AllFaces, SampleFps = request.SampleFps > 0 ? request.SampleFps : null };
        try
        {
            var result = await engine.UseAsync(async e =>
            {
                IAsyncEnumerable<AuFrameResult> rows;
                var noFace = false;
                if (request.IsImage)
                {
                    var image = e.AnalyzeImage(local.Path, run);
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
                    await e.WriteOpenFaceCsvAsync(Tap(rows, counted), writer, cancellationToken).ConfigureAwait(false);
                }
                return new AuExtractionResult(counted.Count, counted.Count(r => r.Success), noFace || counted.All(r => !r.Success));
            }, cancellationToken, takeTurn: !request.IsImage).ConfigureAwait(false);
            await workspace.AddOutputFileAsync("au.csv", csv, "text/csv", cancellationToken).ConfigureAwait(false);
            return new StepResult(result);
        }
        catch (Exception e) when (e is InvalidDataException or ModelNotFoundException or CorruptModelException)
        {
            throw new StepInputException(e.Message.Replace(local.Path, request.FileId, StringComparison.Ordinal), e);
        }
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
    public static IBusRegistrationConfigurator AddAuServiceConsumers(this IBusRegistrationConfigurator bus, MessagingOptions options)
    {
        bus.AddConsumer<ExtractActionUnitsConsumer>().Endpoint(e =>
        {
            e.Name = options.QueueName(StepQueues.For<ExtractActionUnits>());
            // The engine already uses every core: videos take turns in the engine host (scale out with instances);
            // a second slot lets a photo through while a video runs.
            e.ConcurrentMessageLimit = 2;
        });
        bus.AddConsumer<AnalyzeFacialExpressionConsumer>().Endpoint(e => e.Name = options.QueueName(StepQueues.For<AnalyzeFacialExpression>()));
        return bus;
    }

    public static string Invariant(double value) => value.ToString(CultureInfo.InvariantCulture);
}
