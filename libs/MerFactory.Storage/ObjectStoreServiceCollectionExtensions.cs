using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace MerFactory.Storage;

/// <summary>Which store to use (section <c>ObjectStore</c>): a local folder (embedded) or S3 (distributed).</summary>
public sealed class ObjectStoreOptions
{
    public const string SectionName = "ObjectStore";

    /// <summary><c>FileSystem</c> or <c>S3</c>.</summary>
    public string Provider { get; set; } = "FileSystem";

    /// <summary>Folder of the filesystem store.</summary>
    public string Root { get; set; } = Path.Combine(Path.GetTempPath(), "merfactory-store");

    public S3StoreOptions S3 { get; set; } = new();
}

public static class ObjectStoreServiceCollectionExtensions
{
    public static IServiceCollection AddObjectStore(this IServiceCollection services, ObjectStoreOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<IObjectStore>(_ => Create(options));
        return services;
    }

    public static IServiceCollection AddObjectStore(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(ObjectStoreOptions.SectionName).Get<ObjectStoreOptions>() ?? new ObjectStoreOptions();
        // Aspire hands the S3 endpoint over as a connection string named "objectstore".
        if (configuration.GetConnectionString("objectstore") is { Length: > 0 } endpoint)
        {
            options.Provider = "S3";
            options.S3.Endpoint = endpoint;
        }
        return services.AddObjectStore(options);
    }

    public static IObjectStore Create(ObjectStoreOptions options) => options.Provider.ToUpperInvariant() switch
    {
        "FILESYSTEM" => new FileSystemObjectStore(options.Root, options.S3.Bucket),
        "S3" => new S3ObjectStore(options.S3),
        _ => throw new InvalidOperationException($"Unknown object store provider '{options.Provider}' (expected FileSystem or S3)."),
    };
}
