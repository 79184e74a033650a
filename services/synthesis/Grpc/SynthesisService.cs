using Grpc.Core;
using MerFactory.Protos.Common;
using MerFactory.Protos.Synthesis;

namespace MerFactory.Synthesis.Grpc;

/// <summary>Runs the five pipelines per file and hosts the job API.</summary>
public sealed class SynthesisService : MerFactory.Protos.Synthesis.Synthesis.SynthesisBase
{
    public override Task<ServiceDescription> Describe(Empty request, ServerCallContext context) =>
        Task.FromResult(new ServiceDescription
        {
            Name = "synthesis",
            Version = typeof(SynthesisService).Assembly.GetName().Version?.ToString() ?? "0",
            Capabilities = { "synthesis" },
        });
}
