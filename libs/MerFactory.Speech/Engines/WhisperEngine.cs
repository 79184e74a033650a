using Microsoft.Extensions.Options;
using Whisper.net;

namespace MerFactory.Speech.Engines;

/// <summary>Settings for the Whisper engine.</summary>
public sealed class WhisperOptions
{
    /// <summary>Where <c>merfactory models install</c> puts models unless configured otherwise.</summary>
    public static string DefaultModelDirectory =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "merfactory", "models");

    /// <summary>The ggml model file; null looks for <c>ggml-*.bin</c> in <see cref="ModelDirectory"/>.</summary>
    public string? ModelPath { get; set; }

    public string ModelDirectory { get; set; } = DefaultModelDirectory;

    /// <summary>Preferred model when several are installed (first match wins).</summary>
    public IList<string> PreferredModels { get; set; } = ["ggml-base.bin", "ggml-base.en.bin", "ggml-small.bin", "ggml-tiny.bin", "ggml-tiny.en.bin"];

    /// <summary>Resolves the model to use, or null when none is installed.</summary>
    public string? ResolveModelPath()
    {
        if (!string.IsNullOrEmpty(ModelPath)) return ModelPath;
        if (!Directory.Exists(ModelDirectory)) return null;
        foreach (var name in PreferredModels)
        {
            var candidate = Path.Combine(ModelDirectory, name);
            if (File.Exists(candidate)) return candidate;
        }
        return Directory.EnumerateFiles(ModelDirectory, "ggml-*.bin").Order(StringComparer.Ordinal).FirstOrDefault();
    }
}

/// <summary>
/// Whisper.net over a ggml model: language detection or a forced language, beam search or greedy decoding,
/// segments with timestamps and mean token probabilities. The native model is loaded once and shared.
/// </summary>
public sealed class WhisperEngine : ITranscriptionEngine
{
    private readonly string _modelPath;
    private readonly Lazy<WhisperFactory> _factory;
    private bool _disposed;

    public WhisperEngine(string modelPath)
    {
        // Validated up front: whisper.cpp aborts the process on some malformed files instead of reporting them.
        Model = WhisperModelFile.Validate(modelPath);
        _modelPath = modelPath;
        ModelId = $"{Path.GetFileNameWithoutExtension(modelPath)} ({new FileInfo(modelPath).Length} bytes, {Model.AudioLayers} layers, {(Model.IsMultilingual ? "multilingual" : "English")})";
        _factory = new Lazy<WhisperFactory>(() => WhisperFactory.FromPath(_modelPath), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public WhisperEngine(IOptions<WhisperOptions> options)
        : this(options.Value.ResolveModelPath() ?? throw NotInstalled(options.Value.ModelDirectory)) { }

    public string Name => "whisper";

    public WhisperModelInfo Model { get; }

    public string ModelId { get; }

    public bool Supports(string? language) => Model.IsMultilingual || language is null || language.StartsWith("en", StringComparison.OrdinalIgnoreCase);

    public async Task<EngineTranscription> TranscribeAsync(float[] samples16k, EngineRequest request, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var builder = _factory.Value.CreateBuilder().WithProbabilities();
        builder = string.IsNullOrEmpty(request.Language) ? builder.WithLanguageDetection() : builder.WithLanguage(request.Language);
        builder = request.BeamSize > 1
            ? builder.WithBeamSearchSamplingStrategy(beam => beam.WithBeamSize(request.BeamSize))
            : builder.WithGreedySamplingStrategy();
        builder = builder.WithTemperature(request.Temperature);
        if (request.Threads > 0) builder = builder.WithThreads(request.Threads);

        WhisperProcessor processor;
        try
        {
            processor = builder.Build();
        }
        catch (WhisperModelLoadException ex)
        {
            throw new SpeechModelException($"Whisper model '{_modelPath}' could not be loaded (corrupt or incompatible file): {ex.Message}. Reinstall it with `merfactory models install whisper-base`.", ex);
        }

        await using (processor.ConfigureAwait(false))
        {
            var segments = new List<RecognizedSegment>();
            var language = request.Language;
            await foreach (var segment in processor.ProcessAsync(samples16k, cancellationToken).ConfigureAwait(false))
            {
                language ??= segment.Language;
                var text = segment.Text.Trim();
                if (text.Length == 0) continue;
                segments.Add(new RecognizedSegment(segment.Start.TotalSeconds, segment.End.TotalSeconds, text, Math.Round(segment.Probability, 4), []));
            }
            return new EngineTranscription(language ?? "und", null, segments);
        }
    }

    internal static SpeechModelException NotInstalled(string directory) =>
        new($"No Whisper model is installed (looked for ggml-*.bin in '{directory}'). Install one with `merfactory models install whisper-base`.");

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_factory.IsValueCreated) _factory.Value.Dispose();
    }
}
