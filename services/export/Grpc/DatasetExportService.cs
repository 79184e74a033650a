using System.Diagnostics.CodeAnalysis;
using Grpc.Core;
using MerFactory.Export;
using MerFactory.Export.Sources;
using MerFactory.Protos.Common;
using MerFactory.Protos.Export;
using MerFactory.Storage;
using Microsoft.Extensions.Options;
using ExportIssue = MerFactory.Protos.Export.ExportIssue;
using ExportedFile = MerFactory.Protos.Export.ExportedFile;

namespace MerFactory.ExportService.Grpc;

/// <summary>
/// Dataset export and training hand-off. <see cref="Export"/> reads a dataset in MER-Factory's layout from the
/// object store, exports it into local scratch space and uploads the files under <c>exports/{exportId}/</c>.
/// </summary>
public sealed partial class DatasetExportService(
    IObjectStore store, ExportRunner runner, IOptions<ExportServiceOptions> options, ILogger<DatasetExportService> logger)
    : DatasetExport.DatasetExportBase
{
    public override Task<ServiceDescription> Describe(Empty request, ServerCallContext context) =>
        Task.FromResult(new ServiceDescription
        {
            Name = "export",
            Version = typeof(DatasetExportService).Assembly.GetName().Version?.ToString() ?? "0",
            Capabilities = { "export", "sharegpt", "emotion-llama", "emotion-llama-fine", "csv" },
        });

    public override async Task<ExportReply> Export(ExportRequest request, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var (fileType, exportOptions) = Parse(request);
        var owner = context.GetHttpContext().User.CredentialName();
        var prefix = OwnedDatasetPrefix(request.DatasetPrefix, owner);
        if (!await AnyObjectAsync(prefix, cancellationToken))
            Throw(StatusCode.NotFound, $"No dataset under '{store.Bucket}/{prefix}'.");

        var exportId = Guid.NewGuid().ToString("N");
        var settings = options.Value;
        var scratch = Path.Combine(settings.WorkDirectory, exportId);
        try
        {
            LogExporting(exportId, fileType.Name(), store.Bucket, prefix);
            ExportResult result;
            try
            {
                var source = new LayoutRecordSource(new ObjectStoreRecordFileProvider(store, prefix));
                result = await runner.RunAsync(source, fileType, exportOptions with { ExportPath = scratch }, cancellationToken);
            }
            catch (ArgumentException e)
            {
                Throw(StatusCode.InvalidArgument, e.Message);
                throw;
            }

            var reply = new ExportReply
            {
                ExportId = exportId,
                RecordsExported = result.RecordsExported,
                RecordsSkipped = result.RecordsSkipped,
                Warnings = result.WarningCount,
            };
            var exportsPrefix = settings.ExportsPrefix.EndsWith('/') ? settings.ExportsPrefix : settings.ExportsPrefix + "/";
            foreach (var file in result.Files)
            {
                await using var content = File.OpenRead(file.Path);
                var name = Path.GetFileName(file.Path);
                var stored = await store.PutAsync($"{exportsPrefix}{owner}/{exportId}/{name}", content, ContentType(name), cancellationToken);
                reply.Files.Add(new ExportedFile
                {
                    File = new ObjectRef { Bucket = store.Bucket, Key = stored.Key, Size = stored.Size, Sha256 = stored.Sha256 ?? "", ContentType = stored.ContentType ?? ContentType(name) },
                    Format = file.Format,
                    RecordsWritten = file.RecordsWritten,
                    RecordsSkipped = file.RecordsSkipped,
                });
            }
            foreach (var issue in result.Issues.Take(settings.MaxIssuesInReply))
            {
                reply.Issues.Add(new ExportIssue
                {
                    Severity = issue.Severity.ToString().ToLowerInvariant(),
                    RecordId = issue.RecordId ?? "",
                    Location = issue.Location ?? "",
                    Message = issue.Message,
                });
            }
            reply.IssuesNotDetailed = result.Issues.Count - reply.Issues.Count + result.IssuesNotDetailed;
            LogExported(exportId, result.RecordsExported, result.RecordsSkipped, reply.Files.Count);
            return reply;
        }
        finally
        {
            if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true);
        }
    }

    /// <summary>The request's choices, as <c>merfactory export</c> spells them; bad values are the caller's error.</summary>
    private static (ExportFileType FileType, ExportOptions Options) Parse(ExportRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.DatasetPrefix)) Throw(StatusCode.InvalidArgument, "dataset_prefix is required");
        try
        {
            var fileType = ExportFileTypes.Parse(request.FileType);
            var format = request.ExportFormat.Trim() switch
            {
                "" => ExportFormat.ShareGpt,
                var none when none.Equals("none", StringComparison.OrdinalIgnoreCase) => (ExportFormat?)null,
                var name => OptionNames.ParseExportFormat(name),
            };
            return (fileType, new ExportOptions
            {
                ExportFormat = format,
                JsonFormat = request.JsonFormat.Length == 0 ? JsonFormat.Json : OptionNames.ParseJsonFormat(request.JsonFormat),
                ExportCsv = request.ExportCsv,
                Seed = request.Seed,
            });
        }
        catch (ArgumentException e)
        {
            Throw(StatusCode.InvalidArgument, e.Message);
            throw;
        }
    }

    /// <summary>
    /// A caller exports only its own records: the outputs of its jobs (<c>jobs/{owner}/</c>) or datasets it placed under
    /// <c>datasets/{owner}/</c>. Anything else, <c>jobs/</c> itself included, is PermissionDenied; a malformed prefix is InvalidArgument.
    /// </summary>
    private static string OwnedDatasetPrefix(string requested, string owner)
    {
        var prefix = requested.EndsWith('/') ? requested : requested + "/";
        try
        {
            ObjectKeys.ValidatePrefix(prefix);
        }
        catch (ArgumentException e)
        {
            Throw(StatusCode.InvalidArgument, e.Message);
        }
        if (!OwnedKeys.IsOwnedBy(prefix, owner, OwnedKeys.Jobs, OwnedKeys.Datasets))
            Throw(StatusCode.PermissionDenied, $"'{prefix}' is not under {OwnedKeys.Prefix(OwnedKeys.Jobs, owner)} or {OwnedKeys.Prefix(OwnedKeys.Datasets, owner)}");
        return prefix;
    }

    private async Task<bool> AnyObjectAsync(string prefix, CancellationToken cancellationToken)
    {
        await foreach (var _ in store.ListAsync(prefix, cancellationToken)) return true;
        return false;
    }

    private static string ContentType(string fileName) => Path.GetExtension(fileName).ToLowerInvariant() switch
    {
        ".json" => "application/json",
        ".jsonl" => "application/jsonl",
        ".csv" => "text/csv",
        _ => "text/plain",
    };

    [DoesNotReturn]
    private static void Throw(StatusCode code, string detail) => throw new RpcException(new Status(code, detail));

    [LoggerMessage(Level = LogLevel.Information, Message = "Export {ExportId}: {FileType} records from {Bucket}/{Prefix}")]
    private partial void LogExporting(string exportId, string fileType, string bucket, string prefix);

    [LoggerMessage(Level = LogLevel.Information, Message = "Export {ExportId}: {Exported} exported, {Skipped} skipped, {Files} files uploaded")]
    private partial void LogExported(string exportId, int exported, int skipped, int files);
}
