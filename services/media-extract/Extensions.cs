using MerFactory.Jobs.Messaging;
using MerFactory.Storage;
using MerFactory.Steps.Media;

namespace MerFactory.MediaExtract;

internal static class Extensions
{
    /// <summary>Object store, the media consumers on the configured transport, and the ffmpeg engine.</summary>
    public static void AddMediaExtractServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddObjectStore(builder.Configuration);
        builder.Services.AddMerFactoryMessaging(builder.Configuration, (bus, options) => bus.AddMediaExtractConsumers(options));
        builder.Services.AddMediaEngines();
    }
}
