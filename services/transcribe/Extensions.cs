using MerFactory.Jobs.Messaging;
using MerFactory.Pipeline.Consumers;
using MerFactory.Pipeline.Orchestration;
using MerFactory.Storage;
using MerFactory.Steps;

namespace MerFactory.Transcribe;

internal static class Extensions
{
    /// <summary>Object store, the transcribe consumer on the configured transport, and the speech engines (section <c>Speech</c>).</summary>
    public static void AddTranscribeServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddObjectStore(builder.Configuration);
        builder.Services.AddMerFactoryMessaging(builder.Configuration, (bus, options) => bus.AddTranscribeConsumers(options));
        builder.Services.AddSpeechEngines(builder.Configuration);
        // The default engine loads at start rather than with the first file.
        builder.Services.AddSpeechEngineWarmUp();
        builder.Services.AddSingleton<StepClient>();
    }
}
