using MerFactory.Contracts;
using MerFactory.Contracts.Au;
using MerFactory.Facs.Analysis;
using MerFactory.Facs.OpenFace;
using MerFactory.Jobs.Steps;

namespace MerFactory.Steps.Au;

/// <summary>Step "facs-analysis": MER-Factory's FACS analysis of an AU CSV, its AU JSON (<c>au_analysis.json</c>) and the MER fields.</summary>
public sealed class AnalyzeFacialExpressionConsumer(ArtifactStore artifacts) : StepConsumer<AnalyzeFacialExpression, FacialExpressionAnalyzed>(artifacts)
{
    protected override IEnumerable<ObjectReference> Inputs(AnalyzeFacialExpression request) => [request.AuCsv];

    protected override object?[] Parameters(AnalyzeFacialExpression request) => [request.Threshold, request.PeakDistance, request.SourcePath];

    protected override async Task<FacialExpressionAnalyzed> ExecuteAsync(AnalyzeFacialExpression request, StepWorkspace workspace, CancellationToken cancellationToken)
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
        var stored = await workspace.AddOutputAsync("au_analysis.json", new MemoryStream(System.Text.Encoding.UTF8.GetBytes(document.ToJson())), "application/json", cancellationToken).ConfigureAwait(false);
        var peak = analysis.OverallPeak;
        return new FacialExpressionAnalyzed(
            analysis.ChronologicalEmotionPeaks,
            analysis.OverallPeakAuDescription,
            peak?.FrameNumber,
            peak?.Timestamp,
            peak?.TopAusIntensities.ToDictionary(kv => kv.Key, kv => kv.Value) ?? new Dictionary<string, double>(),
            table.Frames.Count > 0 ? FacialAnalysis.DescribeFrame(table, 0) : "Neutral expression.",
            analysis.IsExpressive,
            stored);
    }
}
