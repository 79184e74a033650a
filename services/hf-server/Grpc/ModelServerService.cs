using Grpc.Core;
using MerFactory.Protos.Common;
using MerFactory.Protos.HfServer;

namespace MerFactory.HfServer.Grpc;

/// <summary>Hosts local models behind the method/params protocol.</summary>
public sealed class ModelServerService : ModelServer.ModelServerBase
{
    public override Task<ServiceDescription> Describe(Empty request, ServerCallContext context) =>
        Task.FromResult(new ServiceDescription
        {
            Name = "hf-server",
            Version = typeof(ModelServerService).Assembly.GetName().Version?.ToString() ?? "0",
            Capabilities = { "model-server" },
        });
}
