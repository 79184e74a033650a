using Grpc.Core;
using MerFactory.Protos.Common;
using MerFactory.Protos.Export;

namespace MerFactory.ExportService.Grpc;

/// <summary>Dataset export and training hand-off.</summary>
public sealed class DatasetExportService : DatasetExport.DatasetExportBase
{
    public override Task<ServiceDescription> Describe(Empty request, ServerCallContext context) =>
        Task.FromResult(new ServiceDescription
        {
            Name = "export",
            Version = typeof(DatasetExportService).Assembly.GetName().Version?.ToString() ?? "0",
            Capabilities = { "export" },
        });
}
