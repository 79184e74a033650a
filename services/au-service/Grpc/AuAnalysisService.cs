using Grpc.Core;
using MerFactory.Protos.Common;
using MerFactory.Protos.Au;

namespace MerFactory.AuService.Grpc;

/// <summary>Facial Action Units and FACS analysis.</summary>
public sealed class AuAnalysisService : AuAnalysis.AuAnalysisBase
{
    public override Task<ServiceDescription> Describe(Empty request, ServerCallContext context) =>
        Task.FromResult(new ServiceDescription
        {
            Name = "au-service",
            Version = typeof(AuAnalysisService).Assembly.GetName().Version?.ToString() ?? "0",
            Capabilities = { "au" },
        });
}
