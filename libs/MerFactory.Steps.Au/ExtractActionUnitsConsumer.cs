using MerFactory.AuEngine;
using MerFactory.AuEngine.Models;
using MerFactory.AuEngine.External;
using MerFactory.AuEngine.Pipeline;
using MerFactory.Compute;
using MerFactory.Contracts;
using MerFactory.Contracts.Au;
using MerFactory.Facs.OpenFace;
using MerFactory.Jobs.Steps;

namespace MerFactory.Steps.Au;

/// <summary>Step "au-extract": the OpenFace-format AU CSV of a video or photo, from the native engine or OpenFace's own binary.</summary>
public sealed class ExtractActionUnitsConsumer(ArtifactStore artifacts, ActionUnitEngineHost engine, OpenFaceFeatureExtractionOptions openFace)
    : StepConsumer<ExtractActionUnits, ActionUnitsExtracted>(artifacts)
{
    protected override IEnumerable<ObjectReference> Inputs(ExtractActionUnits request) => [request.Source];

    protected override object?[] Parameters(ExtractActionUnits request) =>
        UsesOpenFace ? [request.IsImage, request.SampleFps, request.AllFaces, "openface:" + openFace.ExecutablePath] : [request.IsImage, request.SampleFps, request.AllFaces];

    private bool UsesOpenFace => !string.IsNullOrWhiteSpace(openFace.ExecutablePath);

    protected override async Task<ActionUnitsExtracted> ExecuteAsync(ExtractActionUnits request, StepWorkspace workspace, CancellationToken cancellationToken)
    {
        using var local = await workspace.Artifacts.GetLocalCopyAsync(request.Source, Path.GetExtension(request.Source.Key), cancellationToken).ConfigureAwait(false);
        if (UsesOpenFace) return await ExternalAsync(request, local.Path, workspace, cancellationToken).ConfigureAwait(false);
        var csv = Path.Combine(workspace.ScratchDirectory, "au.csv");
        var run = new AuRunOptions { AllFaces = request.AllFaces, SampleFps = request.SampleFps > 0 ? request.SampleFps : null, IncludeLandmarks = true };
        try
        {
            // The decoder starts now: on a run's first file it links and reads ahead while the models still load.
            using var video = request.IsImage ? null : engine.OpenVideo(local.Path);
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
                    rows = e.AnalyzeVideoAsync(video!, run, cancellationToken);
                }
                var counted = new List<AuFrameResult>();
                await using (var writer = new StreamWriter(csv))
                {
                    await e.WriteOpenFaceCsvAsync(Tap(rows, counted), writer, cancellationToken, landmarkColumns: true).ConfigureAwait(false);
                }
                return (Rows: counted.Count, Successful: counted.Count(r => r.Success), NoFace: noFace || counted.All(r => !r.Success));
            }, cancellationToken).ConfigureAwait(false);
            var stored = await workspace.AddOutputFileAsync("au.csv", csv, "text/csv", cancellationToken).ConfigureAwait(false);
            return new ActionUnitsExtracted(result.Rows, result.Successful, result.NoFace, stored);
        }
        catch (Exception e) when (e is InvalidDataException or ModelNotFoundException or CorruptModelException)
        {
            throw new StepInputException(e.Message.Replace(local.Path, request.FileId, StringComparison.Ordinal), e);
        }
    }

    /// <summary>OpenFace's own FeatureExtraction (MER-Factory's engine) writes the CSV; it is stored as it is.</summary>
    private async Task<ActionUnitsExtracted> ExternalAsync(ExtractActionUnits request, string input, StepWorkspace workspace, CancellationToken cancellationToken)
    {
        var outputDirectory = Path.Combine(workspace.ScratchDirectory, "openface");
        OpenFaceRunResult run;
        try
        {
            run = await new OpenFaceFeatureExtraction(openFace).RunAsync(input, outputDirectory, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OpenFaceNotAvailableException or OpenFaceFailedException)
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
        var stored = await workspace.AddOutputFileAsync("au.csv", run.CsvPath, "text/csv", cancellationToken).ConfigureAwait(false);
        var successful = table.Frames.Count(f => f.Success);
        return new ActionUnitsExtracted(table.Frames.Count, successful, successful == 0, stored);
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
