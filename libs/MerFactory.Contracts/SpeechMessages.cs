using System.Text.Json.Serialization;

namespace MerFactory.Contracts.Speech;

/// <summary>
/// Transcribe a 16 kHz mono WAV (any audio ffmpeg decodes works): text, segments, voice activity and prosody.
/// <see cref="Language"/> is an ISO 639-1 code or null to detect; <see cref="Engine"/> is <c>auto</c>, <c>whisper</c>
/// or <c>pocketsphinx</c> (alias <c>offline</c>).
/// </summary>
[Step("transcribe")]
public sealed record TranscribeAudio(Guid JobId, string FileId, ObjectReference Wav, string? Language, string Engine) : IStepRequest<AudioTranscribed>;

[JsonConverter(typeof(JsonStringEnumConverter<SpeechOutcome>))]
public enum SpeechOutcome
{
    /// <summary>Speech was found and words were recognised.</summary>
    Transcribed,

    /// <summary>The voice-activity detector found no speech: a result, not an error.</summary>
    NoSpeech,

    /// <summary>Speech was detected but the engine recognised no words.</summary>
    NoWordsRecognized,
}

public sealed record TranscribedWord(string Word, double Start, double End);

public sealed record TranscribedSegment(double Start, double End, string Text, IReadOnlyList<TranscribedWord> Words);

/// <summary>
/// The transcript as the pipeline uses it (evidence text, prosody, segments for the gate agent) and the full
/// transcript artifact (<see cref="Transcript"/>, the <c>{id}_transcript.json</c> sidecar).
/// </summary>
public sealed record AudioTranscribed(
    SpeechOutcome Status,
    string Text,
    string Language,
    string Engine,
    string ModelId,
    double DurationSeconds,
    string? ProsodySummary,
    IReadOnlyList<TranscribedSegment> Segments,
    ObjectReference Transcript);
