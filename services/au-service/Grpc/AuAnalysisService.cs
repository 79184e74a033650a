using Grpc.Core;
using MerFactory.Contracts;
using MerFactory.Contracts.Au;
using MerFactory.Jobs.Steps;
using MerFactory.Protos.Au;
using MerFactory.Protos.Common;
using ProtoRef = MerFactory.Protos.Common.ObjectRef;
using MerFactory.Steps;
using MerFactory.Steps.Grpc;


namespace MerFactory.AuService.Grpc;

/// <summary>The gRPC face of au-service, through the same step consumers (and step cache) as bus messages.</summary>
public sealed class AuAnalysisService(StepClient steps, ArtifactStore artifacts) : AuAnalysis.AuAnalysisBase
{
    public override Task<ServiceDescription> Describe(Empty request, ServerCallContext context) =>
        Task.FromResult(new ServiceDescription
        {
            Name = "au-service",
            Version = typeof(AuAnalysisService).Assembly.GetName().Version?.ToString() ?? "0",
            Capabilities = { "au", "facs-analysis" },
        });

    public override async Task<AnalyzeReply> Analyze(AnalyzeRequest request, ServerCallContext context)
    {
        var source = await artifacts.ResolveForCallAsync(request.Source, context);
        var fileId = Path.GetFileNameWithoutExtension(source.Key);
        var extraction = (await steps.RequestForCallAsync(new ExtractActionUnits(Guid.Empty, fileId, source, request.IsImage, request.SampleFps, AllFaces: false), "au-service", context)).Response;
        var analysis = (await steps.RequestForCallAsync(new AnalyzeFacialExpression(Guid.Empty, fileId, extraction.Csv, source.Key,
            request.Threshold > 0 ? request.Threshold : 0.8, request.PeakDistance > 0 ? request.PeakDistance : 15), "au-service", context)).Response;
        var reply = new AnalyzeReply
        {
            AuCsv = extraction.Csv.ToProto(),
            AnalysisJson = analysis.Document.ToProto(),
            OverallPeakAuDescription = analysis.OverallPeakAuDescription,
            Rows = extraction.Rows,
            SuccessfulRows = extraction.SuccessfulRows,
            NoFaceFound = extraction.NoFaceFound,
            PeakTimestamp = analysis.PeakTimestamp ?? 0,
        };
        reply.ChronologicalEmotionPeaks.AddRange(analysis.ChronologicalEmotionPeaks);
        return reply;
    }

}
