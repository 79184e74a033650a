using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Grpc.Core;
using MassTransit;
using MerFactory.Contracts;
using MerFactory.Contracts.Au;
using MerFactory.Contracts.Media;
using MerFactory.Jobs.Steps;
using MerFactory.Pipeline.Consumers;
using MerFactory.Protos.Au;
using MerFactory.Protos.Common;
using ProtoRef = MerFactory.Protos.Common.ObjectRef;

namespace MerFactory.AuService.Grpc;

/// <summary>The gRPC face of au-service, through the same step consumers (and step cache) as bus messages.</summary>
public sealed class AuAnalysisService(StepClient steps, ArtifactStore artifacts) : AuAnalysis.AuAnalysisBase
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public override Task<ServiceDescription> Describe(Empty request, ServerCallContext context) =>
        Task.FromResult(new ServiceDescription
        {
            Name = "au-service",
            Version = typeof(AuAnalysisService).Assembly.GetName().Version?.ToString() ?? "0",
            Capabilities = { "au", "facs-analysis" },
        });

    public override async Task<AnalyzeReply> Analyze(AnalyzeRequest request, ServerCallContext context)
    {
        var source = await ResolveAsync(request.Source, context);
        var fileId = Path.GetFileNameWithoutExtension(source.Key);
        var au = await RunAsync(new ExtractActionUnits(Guid.Empty, fileId, source, request.IsImage, request.SampleFps, AllFaces: false), context);
        var extraction = JsonSerializer.Deserialize<AuExtractionResult>(au.ResultJson, Json)!;
        var facs = await RunAsync(new AnalyzeFacialExpression(Guid.Empty, fileId, au.Outputs["au.csv"], source.Key,
            request.Threshold > 0 ? request.Threshold : 0.8, request.PeakDistance > 0 ? request.PeakDistance : 15), context);
        var analysis = JsonSerializer.Deserialize<FacialExpressionResult>(facs.ResultJson, Json)!;
        var reply = new AnalyzeReply
        {
            AuCsv = ToProto(au.Outputs["au.csv"]),
            AnalysisJson = ToProto(facs.Outputs["au_analysis.json"]),
            OverallPeakAuDescription = analysis.OverallPeakAuDescription,
            Rows = extraction.Rows,
            SuccessfulRows = extraction.SuccessfulRows,
            NoFaceFound = extraction.NoFaceFound,
            PeakTimestamp = analysis.PeakTimestamp ?? 0,
        };
        reply.ChronologicalEmotionPeaks.AddRange(analysis.ChronologicalEmotionPeaks);
        return reply;
    }

    private async Task<StepCompleted> RunAsync<T>(T message, ServerCallContext context) where T : class, IStepRequest
    {
        try
        {
            return await steps.RequestAsync(message, context.CancellationToken);
        }
        catch (RequestFaultException fault)
        {
            Throw(StatusCode.InvalidArgument, fault.Fault?.Exceptions.FirstOrDefault()?.Message ?? fault.Message);
            throw;
        }
        catch (RequestTimeoutException)
        {
            Throw(StatusCode.DeadlineExceeded, "au-service did not finish the step in time");
            throw;
        }
    }

    private async Task<ObjectReference> ResolveAsync(ProtoRef source, ServerCallContext context)
    {
        if (source is null || string.IsNullOrEmpty(source.Key)) Throw(StatusCode.InvalidArgument, "source object reference is required");
        try
        {
            return await artifacts.ResolveAsync(new ObjectReference(source.Bucket, source.Key, source.Size, source.Sha256, source.ContentType), context.CancellationToken);
        }
        catch (Storage.ObjectNotFoundException e)
        {
            Throw(StatusCode.NotFound, e.Message);
            throw;
        }
    }

    [DoesNotReturn]
    private static void Throw(StatusCode code, string detail) => throw new RpcException(new Status(code, detail));

    private static ProtoRef ToProto(ObjectReference r) =>
        new() { Bucket = r.Bucket, Key = r.Key, Size = r.Size, Sha256 = r.Sha256, ContentType = r.ContentType ?? "" };
}
