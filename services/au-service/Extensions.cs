using MerFactory.Jobs.Messaging;
using MerFactory.Pipeline.Consumers;
using MerFactory.Pipeline.Orchestration;
using MerFactory.Storage;
using MerFactory.Steps.Media;

namespace MerFactory.AuService;

internal static class Extensions
{
    /// <summary>Object store, the AU consumers on the configured transport, and the native AU engine.</summary>
    public static void AddAuServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddObjectStore(builder.Configuration);
        builder.Services.AddMerFactoryMessaging(builder.Configuration, (bus, options) => bus.AddAuServiceConsumers(options));
        builder.Services.AddAuEngines(builder.Configuration);
        // Models load at start rather than with the first video.
        builder.Services.AddHostedService<ActionUnitEngineWarmUp>();
        builder.Services.AddMediaEngines();
    }
}
