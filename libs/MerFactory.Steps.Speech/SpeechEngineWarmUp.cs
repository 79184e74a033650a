using MerFactory.Speech;
using MerFactory.Speech.Engines;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MerFactory.Steps.Speech;

/// <summary>Loads the speech engine and the voice activity model when the host starts; a failure is only logged, each file then reports it.</summary>
public sealed partial class SpeechEngineWarmUp(TranscriptionService transcription, string? engine, string? language, ILogger<SpeechEngineWarmUp> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await transcription.WarmUpAsync(TranscribeAudioConsumer.TryParseEngine(engine) ?? EngineChoice.Auto, string.IsNullOrWhiteSpace(language) ? null : language.Trim(), stoppingToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogWarmUpFailed(logger, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Speech engine not loaded at start: {Reason}")]
    private static partial void LogWarmUpFailed(ILogger logger, string reason);
}
