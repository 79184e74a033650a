using MerFactory.Contracts;
using MerFactory.Contracts.Speech;
using MerFactory.Jobs.Steps;
using MerFactory.Speech;
using MerFactory.Speech.Audio;
using MerFactory.Speech.Engines;

namespace MerFactory.Steps.Speech;

/// <summary>
/// Step "transcribe": runs <see cref="TranscriptionService"/> on the WAV and stores <c>transcript.json</c> (the
/// <see cref="TranscriptArtifact"/>); the response carries what the pipeline uses of it. Audio without speech is a normal result (status <c>NoSpeech</c>); audio that
/// cannot be decoded, an unknown engine or a missing model are non-retryable step errors.
/// </summary>
public sealed class TranscribeAudioConsumer(ArtifactStore artifacts, TranscriptionService transcription) : StepConsumer<TranscribeAudio, AudioTranscribed>(artifacts)
{
    protected override IEnumerable<ObjectReference> Inputs(TranscribeAudio request) => [request.Wav];

    // The normalised engine name, so "offline" and "pocketsphinx" share one cached result.
    protected override object?[] Parameters(TranscribeAudio request) =>
        [request.Language?.Trim().ToLowerInvariant(), TryParseEngine(request.Engine)?.ToString() ?? request.Engine];

    protected override async Task<AudioTranscribed> ExecuteAsync(TranscribeAudio request, StepWorkspace workspace, CancellationToken cancellationToken)
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
        var stored = await workspace.AddOutputAsync("transcript.json", json, "application/json", cancellationToken).ConfigureAwait(false);
        return new AudioTranscribed(Enum.Parse<SpeechOutcome>(transcript.Status.ToString()), transcript.Text, transcript.Language, transcript.Engine, transcript.ModelId, transcript.DurationSeconds,
            transcript.Prosody.Summary,
            [.. transcript.Segments.Select(s => new TranscribedSegment(s.Start, s.End, s.Text, [.. s.Words.Select(w => new TranscribedWord(w.Word, w.Start, w.End))]))],
            stored);
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
