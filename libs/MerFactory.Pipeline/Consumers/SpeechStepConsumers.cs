using MassTransit;
using MerFactory.Contracts;
using MerFactory.Contracts.Speech;
using MerFactory.Jobs.Messaging;
using MerFactory.Jobs.Steps;
using MerFactory.Speech;
using MerFactory.Speech.Audio;
using MerFactory.Speech.Engines;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MerFactory.Steps;

namespace MerFactory.Pipeline.Consumers;

/// <summary>
/// Step "transcribe": runs <see cref="TranscriptionService"/> on the WAV and stores <c>transcript.json</c> (the
/// <see cref="TranscriptArtifact"/>). Audio without speech is a normal result (status <c>NoSpeech</c>); audio that
/// cannot be decoded, an unknown engine or a missing model are non-retryable step errors.
/// </summary>
public sealed class TranscribeAudioConsumer(ArtifactStore artifacts, TranscriptionService transcription) : StepConsumer<TranscribeAudio>(artifacts)
{
    public const string TranscriptOutput = "transcript.json";

    protected override string Step => "transcribe";

    protected override IEnumerable<ObjectReference> Inputs(TranscribeAudio request) => [request.Wav];

    // The normalised engine name, so "offline" and "pocketsphinx" share one cached result.
    protected override object?[] Parameters(TranscribeAudio request) =>
        [request.Language?.Trim().ToLowerInvariant(), TryParseEngine(request.Engine)?.ToString() ?? request.Engine];

    protected override async Task<StepResult> ExecuteAsync(TranscribeAudio request, StepWorkspace workspace, CancellationToken cancellationToken)
    {
        var engine = TryParseEngine(request.Engine) ?? throw new StepInputException(
            $"{request.FileId}: unknown speech engine '{request.Engine}' (expected auto, whisper or pocketsphinx).");
        var options = new TranscriptionOptions { Engine = engine, Language = string.IsNullOrWhiteSpace(request.Language) ? null : request.Language.Trim() };
        using var local = await workspace.Artifacts.GetLocalCopyAsync(request.Wav, Path.GetExtension(request.Wav.Key), cancellationToken).ConfigureAwait(false);
        TranscriptArtifact transcript;
        try
        {
            transcript = await transcription.TranscribeAsync(local.Path, options, cancellationToken).ConfigureAwait(false);
        }
        catch (AudioDecodeException e)
        {
            // The local copy has a content-hash name; the file id is what the user recognises.
            throw new StepInputException($"Cannot decode audio of {request.FileId}: {e.Cause.Replace(local.Path, request.FileId, StringComparison.Ordinal)}", e);
        }
        catch (SpeechModelException e)
        {
            // A missing or unsuitable model does not heal by retrying the message; the message says what to install.
            throw new StepInputException($"{request.FileId}: {e.Message}", e);
        }

        // The artifact names the file the user gave, not the service's temporary copy.
        transcript = transcript with { SourceFile = request.FileId };
        using var json = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(transcript.ToJson()));
        await workspace.AddOutputAsync(TranscriptOutput, json, "application/json", cancellationToken).ConfigureAwait(false);
        return new StepResult(new TranscribeStepResult(transcript.Status.ToString(), transcript.Text, transcript.Language, transcript.Engine,
            transcript.ModelId, transcript.DurationSeconds));
    }

    /// <summary>Engine names accepted in requests: auto (or empty), whisper, pocketsphinx / offline.</summary>
    public static EngineChoice? TryParseEngine(string? engine) => engine?.Trim().ToLowerInvariant() switch
    {
        null or "" or "auto" => EngineChoice.Auto,
        "whisper" => EngineChoice.Whisper,
        "pocketsphinx" or "offline" => EngineChoice.PocketSphinx,
        _ => null,
    };
}

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

/// <summary>The small result kept in the step manifest (the full transcript is the <c>transcript.json</c> output).</summary>
public sealed record TranscribeStepResult(string Status, string Text, string Language, string Engine, string ModelId, double DurationSeconds);

public static class SpeechConsumerRegistration
{
    /// <summary>The consumers the transcribe service hosts, each on its step's queue.</summary>
    /// <summary>Starts loading the speech engine (<paramref name="engine"/> as in requests: auto, whisper, pocketsphinx) when the host starts.</summary>
    public static IServiceCollection AddSpeechEngineWarmUp(this IServiceCollection services, string? engine = null, string? language = null) =>
        services.AddHostedService(sp => new SpeechEngineWarmUp(sp.GetRequiredService<TranscriptionService>(), engine, language, sp.GetRequiredService<ILogger<SpeechEngineWarmUp>>()));

    public static IBusRegistrationConfigurator AddTranscribeConsumers(this IBusRegistrationConfigurator bus, MessagingOptions options)
    {
        bus.AddConsumer<TranscribeAudioConsumer>().Endpoint(e => e.Name = options.QueueName(StepQueues.For<TranscribeAudio>()));
        return bus;
    }
}
