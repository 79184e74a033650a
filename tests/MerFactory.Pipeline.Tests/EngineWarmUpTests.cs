using MerFactory.AuEngine.Models;
using MerFactory.AuEngine.Pipeline;
using MerFactory.Steps.Au;
using MerFactory.Steps.Speech;
using MerFactory.Speech;
using MerFactory.Speech.Audio;
using MerFactory.Speech.Engines;
using MerFactory.Speech.Prosody;
using MerFactory.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MerFactory.Pipeline.Tests;

/// <summary>Models load when a host starts; a model that cannot load is reported per file, not at start.</summary>
public sealed class EngineWarmUpTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task TheAuModelsLoadAtStartAndEveryRequestSharesThatEngine()
    {
        using var host = new ActionUnitEngineHost(
            new AuModelOptions { ModelsDirectory = SharedData.Data, YuNetModelPath = Path.Combine("models", AuModelOptions.YuNetFileName) }, new AuEngineOptions());
        var logger = new ListLogger<ActionUnitEngineWarmUp>();
        Assert.False(host.LoadStarted);
        using var warmUp = new ActionUnitEngineWarmUp(host, logger);
        // A host creates all its hosted services (the message bus's is slow to create) before it starts any: the
        // models begin to load as soon as the warm-up exists.
        Assert.True(host.LoadStarted);
        await warmUp.StartAsync(CancellationToken.None);
        await warmUp.ExecuteTask!.WaitAsync(Patience);
        Assert.Empty(logger.Messages);

        var photo = SharedData.DataPath("media", "pyfeat", "single_face.jpg");
        var first = await host.UseAsync(engine => Task.FromResult(engine), CancellationToken.None);
        var faces = await host.UseAsync(engine => Task.FromResult(engine.AnalyzeImage(photo, new AuRunOptions()).Faces.Count), CancellationToken.None);
        Assert.Same(first, await host.UseAsync(engine => Task.FromResult(engine), CancellationToken.None));
        Assert.Equal(1, faces);
    }

    [Fact]
    public async Task MissingAuModelsAreLoggedAtStartAndNamedToEachFile()
    {
        var empty = Directory.CreateTempSubdirectory("mf-no-models-").FullName;
        try
        {
            using var host = new ActionUnitEngineHost(new AuModelOptions { ModelsDirectory = empty, LandmarkModelPath = Path.Combine(empty, "shape_predictor_68_face_landmarks.dat") }, new AuEngineOptions());
            var logger = new ListLogger<ActionUnitEngineWarmUp>();
            using var warmUp = new ActionUnitEngineWarmUp(host, logger);
            await warmUp.StartAsync(CancellationToken.None);
            await warmUp.ExecuteTask!.WaitAsync(Patience); // completes: a service still starts without its models

            // The default landmark model is OpenFace's CLNF.
            Assert.Contains(logger.Messages, m => m.Contains("main_clnf_general.txt", StringComparison.Ordinal));
            var error = await Assert.ThrowsAsync<ModelNotFoundException>(() => host.UseAsync(_ => Task.FromResult(0), CancellationToken.None));
            Assert.Contains("main_clnf_general.txt", error.Message, StringComparison.Ordinal);
            Assert.Contains(ModelNotFoundException.InstallCommand, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
        }
    }

    [Fact]
    public async Task TheSpeechEngineLoadsAtStartAndAMissingModelIsOnlyLogged()
    {
        using var engines = new TranscriptionEngineSelector(
            Options.Create(new WhisperOptions { ModelDirectory = Path.Combine(Path.GetTempPath(), "merfactory-no-whisper-" + Guid.NewGuid().ToString("N")) }),
            Options.Create(new PocketSphinxOptions()));
        var service = new TranscriptionService(new AudioDecoder(), engines, new ProsodyAnalyzer());

        await service.WarmUpAsync(EngineChoice.PocketSphinx, null).WaitAsync(Patience);

        var logger = new ListLogger<SpeechEngineWarmUp>();
        using var warmUp = new SpeechEngineWarmUp(service, "whisper", null, logger);
        await warmUp.StartAsync(CancellationToken.None);
        await warmUp.ExecuteTask!.WaitAsync(Patience);
        Assert.Contains(logger.Messages, m => m.Contains("whisper", StringComparison.OrdinalIgnoreCase));
    }

    private sealed class ListLogger<T> : ILogger<T>
    {
        public List<string> Messages { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Messages) Messages.Add(formatter(state, exception));
        }
    }
}
