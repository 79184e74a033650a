using MerFactory.Contracts.Media;

namespace MerFactory.Contracts.Speech;

/// <summary>
/// Transcribe a 16 kHz mono WAV (any audio ffmpeg decodes works): text, segments, voice activity and prosody.
/// <see cref="Language"/> is an ISO 639-1 code or null to detect; <see cref="Engine"/> is <c>auto</c>, <c>whisper</c>
/// or <c>pocketsphinx</c> (alias <c>offline</c>).
/// </summary>
public sealed record TranscribeAudio(Guid JobId, string FileId, ObjectReference Wav, string? Language, string Engine) : IStepRequest;
