using MerFactory.Storage;
using MerFactory.Steps;
using MerFactory.Steps.Media;

namespace MerFactory.MediaExtract;

internal static class Extensions
{
    /// <summary>Object store, the media step family (ffmpeg) and its consumers on the configured transport.</summary>
    public static void AddMediaExtractServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddObjectStore(builder.Configuration);
        builder.Services.AddMediaSteps();
        builder.Services.AddStepMessaging(builder.Configuration);
    }
}
