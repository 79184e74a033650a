using Grpc.Core;
using MerFactory.Protos.Common;
using MerFactory.Protos.LlmGateway;

namespace MerFactory.LlmGateway.Grpc;

/// <summary>LLM calls routed per step.</summary>
public sealed class LlmGatewayService : MerFactory.Protos.LlmGateway.LlmGateway.LlmGatewayBase
{
    public override Task<ServiceDescription> Describe(Empty request, ServerCallContext context) =>
        Task.FromResult(new ServiceDescription
        {
            Name = "llm-gateway",
            Version = typeof(LlmGatewayService).Assembly.GetName().Version?.ToString() ?? "0",
            Capabilities = { "llm" },
        });
}
