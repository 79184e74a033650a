using System.Text.Json;
using System.Text.Json.Serialization;
using MerFactory.Speech.Engines;
using MerFactory.Speech.Prosody;
using MerFactory.Speech.Vad;

namespace MerFactory.Speech;

[JsonConverter(typeof(JsonStringEnumConverter<TranscriptStatus>))]
public enum TranscriptStatus
{
    /// <summary>Speech was found and words were recognised.</summary>
    Transcribed,

    /// <summary>The voice-activity detector found no speech (silence, noise, music): a result, not an error.</summary>
    NoSpeech,

    /// <summary>Speech was detected but the engine recognised no words.</summary>
    NoWordsRecognized,
}

/// <summary>One transcript segment, times in seconds from the start of the source audio.</summary>
public sealed record TranscriptSegment(double Start, double End, string Text, double? Confidence, IReadOnlyList<RecognizedWord> Words);

/// <summary>The transcript artifact of one audio file: what was said, by which engine, and how it was said.</summary>
public sealed record TranscriptArtifact
{
    public int SchemaVersion { get; init; } = 1;
    public required string SourceFile { get; init; }
    public required TranscriptStatus Status { get; init; }
    public required string Text { get; init; }
    public required string Language { get; init; }
    public double? LanguageProbability { get; init; }
    public required string Engine { get; init; }
    public required string ModelId { get; init; }
    public required double DurationSeconds { get; init; }
    public required IReadOnlyList<TranscriptSegment> Segments { get; init; }
    public required IReadOnlyList<SpeechSegment> VoiceActivity { get; init; }
    public string? VoiceActivityModel { get; init; }
    public required ProsodyFeatures Prosody { get; init; }
    public double ProcessingSeconds { get; init; }
    public double RealTimeFactor => DurationSeconds <= 0 ? 0 : Math.Round(ProcessingSeconds / DurationSeconds, 4);

    public string ToJson() => JsonSerializer.Serialize(this, TranscriptJsonContext.Default.TranscriptArtifact);

    public static TranscriptArtifact FromJson(string json) =>
        JsonSerializer.Deserialize(json, TranscriptJsonContext.Default.TranscriptArtifact)
        ?? throw new JsonException("The transcript JSON is empty (null).");
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(TranscriptArtifact))]
internal sealed partial class TranscriptJsonContext : JsonSerializerContext;
