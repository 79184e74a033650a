namespace MerFactory.Speech.Engines;

/// <summary>Which recogniser a job asks for.</summary>
public enum EngineChoice
{
    /// <summary>Whisper when a model is installed, else the offline English engine for English.</summary>
    Auto,
    Whisper,
    PocketSphinx,
}

/// <summary>Decoding settings one job passes to an engine.</summary>
public sealed record EngineRequest
{
    /// <summary>ISO 639-1 code to force, or null to detect the language.</summary>
    public string? Language { get; init; }

    /// <summary>Beam width for beam search; 1 or less means greedy decoding (Whisper).</summary>
    public int BeamSize { get; init; } = 5;

    /// <summary>Initial sampling temperature (Whisper); 0 is deterministic.</summary>
    public float Temperature { get; init; }

    /// <summary>Worker threads for the engine; 0 lets the engine choose.</summary>
    public int Threads { get; init; }
}

/// <summary>One recognised word with its timing relative to the engine input.</summary>
public sealed record RecognizedWord(string Word, double Start, double End, double? Confidence);

/// <summary>One recognised stretch of speech, times relative to the engine input.</summary>
public sealed record RecognizedSegment(double Start, double End, string Text, double? Confidence, IReadOnlyList<RecognizedWord> Words);

/// <summary>What an engine heard in one buffer.</summary>
public sealed record EngineTranscription(string Language, double? LanguageProbability, IReadOnlyList<RecognizedSegment> Segments);

/// <summary>A speech recogniser over 16 kHz mono float samples.</summary>
public interface ITranscriptionEngine : IDisposable
{
    /// <summary>Short engine name recorded in the artifact, e.g. <c>whisper</c>.</summary>
    string Name { get; }

    /// <summary>Identifies the model (file name plus size/hash or package version) for provenance.</summary>
    string ModelId { get; }

    /// <summary>Whether the engine can transcribe this language (null = unknown/detect).</summary>
    bool Supports(string? language);

    Task<EngineTranscription> TranscribeAsync(float[] samples16k, EngineRequest request, CancellationToken cancellationToken);
}

/// <summary>No usable model for the requested engine or language; the message says how to install one.</summary>
public sealed class SpeechModelException(string message, Exception? inner = null) : Exception(message, inner);
