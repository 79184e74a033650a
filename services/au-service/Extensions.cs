using MerFactory.Storage;
using MerFactory.Steps;
using MerFactory.Steps.Au;

namespace MerFactory.AuService;

internal static class Extensions
{
    /// <summary>Object store, the AU step family (native AU engine, models loaded at start) and its consumers on the configured transport.</summary>
    public static void AddAuServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddObjectStore(builder.Configuration);
        builder.Services.AddAuSteps(builder.Configuration);
        builder.Services.AddStepMessaging(builder.Configuration);
    }
}
