using MerFactory.Storage;
using MerFactory.Steps;
using MerFactory.Steps.Speech;

namespace MerFactory.Transcribe;

internal static class Extensions
{
    /// <summary>
    /// Object store, the speech step family (engines from section <c>Speech</c>; the default engine loads at start rather
    /// than with the first file) and its consumer on the configured transport.
    /// </summary>
    public static void AddTranscribeServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddObjectStore(builder.Configuration);
        builder.Services.AddSpeechSteps(builder.Configuration);
        builder.Services.AddStepMessaging(builder.Configuration);
    }
}
