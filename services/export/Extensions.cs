using MerFactory.Export;
using MerFactory.Storage;

namespace MerFactory.ExportService;

/// <summary>Where the export service works and writes (section <c>Export</c>).</summary>
public sealed class ExportServiceOptions
{
    public const string SectionName = "Export";

    /// <summary>Local scratch space: the export writes its files here before they are uploaded (then deleted).</summary>
    public string WorkDirectory { get; set; } = Path.Combine(Path.GetTempPath(), "merfactory-export");

    /// <summary>Exported files go to <c>{ExportsPrefix}{owner}/{exportId}/{file}</c> in the object store.</summary>
    public string ExportsPrefix { get; set; } = "exports/";

    /// <summary>Issues returned in a reply with details; the counts cover all of them.</summary>
    public int MaxIssuesInReply { get; set; } = 200;
}

internal static class Extensions
{
    /// <summary>Object store, the export runner and the service's options.</summary>
    public static void AddExportServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddObjectStore(builder.Configuration);
        builder.Services.AddOptions<ExportServiceOptions>().Bind(builder.Configuration.GetSection(ExportServiceOptions.SectionName));
        builder.Services.AddSingleton<ExportRunner>();
    }
}
