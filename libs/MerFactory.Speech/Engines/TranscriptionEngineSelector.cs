using Microsoft.Extensions.Options;

namespace MerFactory.Speech.Engines;

/// <summary>
/// Picks the engine for a job and keeps one loaded instance per engine (models are expensive to load).
/// Auto: Whisper when a model is installed, else the offline engine for English, else a message on how to install a model.
/// </summary>
public sealed class TranscriptionEngineSelector(IOptions<WhisperOptions> whisperOptions, IOptions<PocketSphinxOptions> pocketSphinxOptions) : IDisposable
{
    private readonly Lock _lock = new();
    private WhisperEngine? _whisper;
    private PocketSphinxEngine? _pocketSphinx;

    public TranscriptionEngineSelector() : this(Options.Create(new WhisperOptions()), Options.Create(new PocketSphinxOptions())) { }

    public ITranscriptionEngine Select(EngineChoice choice, string? language)
    {
        var whisperModel = whisperOptions.Value.ResolveModelPath();
        switch (choice)
        {
            case EngineChoice.Whisper:
                var forced = Whisper(whisperModel ?? throw WhisperEngine.NotInstalled(whisperOptions.Value.ModelDirectory));
                return forced.Supports(language) ? forced : throw new SpeechModelException(
                    $"The installed Whisper model '{whisperModel}' is English-only and cannot transcribe '{language}'. Install a multilingual model with `merfactory models install whisper-base`.");
            case EngineChoice.PocketSphinx:
                return PocketSphinx(language);
            default:
                if (whisperModel is not null && Whisper(whisperModel) is var whisper && whisper.Supports(language)) return whisper;
                if (language is null || language.StartsWith("en", StringComparison.OrdinalIgnoreCase)) return PocketSphinx(language);
                throw new SpeechModelException(
                    $"No Whisper model is installed (looked in '{whisperOptions.Value.ModelDirectory}') and the offline engine only understands English, not '{language}'. " +
                    "Install a model with `merfactory models install whisper-base`.");
        }
    }

    private WhisperEngine Whisper(string modelPath)
    {
        lock (_lock)
        {
            return _whisper ??= new WhisperEngine(modelPath);
        }
    }

    private PocketSphinxEngine PocketSphinx(string? language)
    {
        lock (_lock)
        {
            var engine = _pocketSphinx ??= new PocketSphinxEngine(pocketSphinxOptions);
            if (!engine.IsInstalled)
            {
                throw new SpeechModelException(
                    $"No Whisper model is installed and the offline English model is missing from '{pocketSphinxOptions.Value.ModelDirectory}'. " +
                    "Install a model with `merfactory models install whisper-base` (or the Debian package pocketsphinx-en-us).");
            }
            if (!engine.Supports(language)) throw new SpeechModelException($"The offline engine only understands English, not '{language}'. Install a Whisper model with `merfactory models install whisper-base`.");
            return engine;
        }
    }

    public void Dispose()
    {
        _whisper?.Dispose();
        _pocketSphinx?.Dispose();
    }
}
