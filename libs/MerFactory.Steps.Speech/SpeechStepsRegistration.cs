using MerFactory.Contracts.Speech;
using MerFactory.Speech;
using MerFactory.Speech.Audio;
using MerFactory.Speech.Engines;
using MerFactory.Speech.Prosody;
using MerFactory.Speech.Vad;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MerFactory.Steps.Speech;

public static partial class SpeechStepsRegistration
{
    public const string SectionName = "Speech";

    /// <summary>
    /// The speech step family: the transcribe consumer and the speech engines it uses, with options bound from <c>Speech:Whisper</c>, <c>Speech:PocketSphinx</c>,
    /// <c>Speech:Vad</c>, <c>Speech:Prosody</c> and <c>Speech:Decoder</c>. Models live in <c>Speech:ModelsDirectory</c> (default
    /// <c>~/.local/share/merfactory/models</c>, where <c>merfactory models install</c> puts them); the Silero model defaults to
    /// <c>silero_vad.onnx</c> there.
    /// </summary>
    /// <param name="warmUp">Load this engine (as in requests: auto, whisper, pocketsphinx) when the host starts; null loads nothing early.</param>
    /// <param name="warmUpLanguage">The language the warmed-up engine is loaded for (null: detect).</param>
    public static IServiceCollection AddSpeechSteps(this IServiceCollection services, IConfiguration? configuration = null, string? warmUp = "auto", string? warmUpLanguage = null)
    {
        var section = configuration?.GetSection(SectionName);
        var modelsDirectory = section?["ModelsDirectory"] is { Length: > 0 } configured ? configured : WhisperOptions.DefaultModelDirectory;

        Bind(services.AddOptions<WhisperOptions>().Configure(o => o.ModelDirectory = modelsDirectory), section, "Whisper");
        Bind(services.AddOptions<PocketSphinxOptions>(), section, "PocketSphinx");
        Bind(services.AddOptions<SileroVadOptions>().Configure(o => o.ModelPath = Path.Combine(modelsDirectory, "silero_vad.onnx")), section, "Vad");
        Bind(services.AddOptions<ProsodyOptions>(), section, "Prosody");
        Bind(services.AddOptions<AudioDecoderOptions>(), section, "Decoder");

        services.AddSingleton<AudioDecoder>();
        services.AddSingleton<ProsodyAnalyzer>();
        services.AddSingleton<TranscriptionEngineSelector>();
        services.AddSingleton<SileroVad>();
        services.AddSingleton(sp =>
        {
            // Without the VAD model, transcription still works on the whole file, but "no speech" cannot be told
            // from "no words" and long files are cut blindly: warn once so the operator installs it.
            var vadPath = sp.GetRequiredService<IOptions<SileroVadOptions>>().Value.ModelPath;
            var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(TranscriptionService));
            SileroVad? vad = null;
            if (File.Exists(vadPath)) vad = sp.GetRequiredService<SileroVad>();
            else LogNoVoiceActivityModel(logger, vadPath);
            return new TranscriptionService(sp.GetRequiredService<AudioDecoder>(), sp.GetRequiredService<TranscriptionEngineSelector>(),
                sp.GetRequiredService<ProsodyAnalyzer>(), vad, sp.GetRequiredService<ILogger<TranscriptionService>>());
        });
        if (warmUp is not null)
            services.AddHostedService(sp => new SpeechEngineWarmUp(sp.GetRequiredService<TranscriptionService>(), warmUp, warmUpLanguage, sp.GetRequiredService<ILogger<SpeechEngineWarmUp>>()));
        return services.AddStepFamily(new StepFamily("speech", (bus, options) => bus.AddStepConsumer<TranscribeAudioConsumer, TranscribeAudio>(options)));
    }

    private static void Bind<T>(OptionsBuilder<T> builder, IConfigurationSection? section, string name) where T : class
    {
        if (section is not null) builder.Bind(section.GetSection(name));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Silero VAD model not found at {ModelPath}: transcribing without voice activity detection. Install it with `merfactory models install silero-vad`.")]
    private static partial void LogNoVoiceActivityModel(ILogger logger, string modelPath);
}
