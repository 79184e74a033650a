using System.Diagnostics;
using System.Globalization;
using MerFactory.Speech;
using MerFactory.Speech.Audio;
using MerFactory.Speech.Engines;
using MerFactory.Speech.Prosody;
using MerFactory.Speech.Text;
using MerFactory.Speech.Vad;
using MerFactory.Testing;

namespace MerFactory.Bench;

/// <summary>
/// Offline transcription (in-process pocketsphinx + Silero VAD + prosody) against the pocketsphinx_continuous CLI on
/// the same files in the same run: word error rate and real-time factor per file.
/// </summary>
public sealed class TranscribeBenchmark : IBenchmark
{
    private const string LibrivoxDirectory = "/usr/share/pocketsphinx/test/data/librivox";

    public string Name => "transcribe";

    public string Description => "WER and real-time factor of the offline transcription service vs the pocketsphinx_continuous CLI (librivox + jfk)";

    public async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken cancellationToken)
    {
        var c = CultureInfo.InvariantCulture;
        var corpus = LoadCorpus();
        var decoder = new AudioDecoder();
        using var engines = new TranscriptionEngineSelector();
        using var vad = new SileroVad(SharedData.DataPath("models", "silero_vad.onnx"));
        var prosody = new ProsodyAnalyzer();
        var service = new TranscriptionService(decoder, engines, prosody, vad);
        var options = new TranscriptionOptions { Engine = EngineChoice.PocketSphinx };

        // Model loading happens once per service process; measure it apart from the per-file figures.
        var load = Stopwatch.StartNew();
        await engines.Select(EngineChoice.PocketSphinx, "en").TranscribeAsync(new float[1600], new EngineRequest(), cancellationToken);
        var loadSeconds = load.Elapsed.TotalSeconds;
        output.WriteLine(string.Create(c, $"offline engine model load (once per process): {loadSeconds:0.00} s"));
        output.WriteLine("RTF = processing time / audio time. 'cpu' columns use CPU time (service: its process plus its ffmpeg children; CLI: its process), which stays meaningful on a shared, overloaded machine; 'wall' is elapsed time.");
        output.WriteLine(string.Create(c, $"{"file",-44} {"audio s",7} | {"svc wall",8} {"svc cpu",7} {"WER",6} | {"asr cpu",7} {"vad cpu",7} {"pros cpu",8} | {"cli wall",8} {"cli cpu",7} {"WER",6}"));

        double totalAudio = 0, serviceWall = 0, serviceCpu = 0, cliWall = 0, cliCpu = 0, asrCpu = 0, vadCpu = 0, prosodyCpu = 0;
        int serviceErrors = 0, cliErrors = 0, words = 0;
        foreach (var (path, reference) in corpus)
        {
            var ((artifact, wall), cpu) = await MeasureAsync(async () =>
            {
                var watch = Stopwatch.StartNew();
                var result = await service.TranscribeAsync(path, options, cancellationToken);
                return (result, watch.Elapsed.TotalSeconds);
            });

            // Stage split on the same audio (CPU seconds): ASR only, VAD only, prosody only.
            var audio = await decoder.DecodeAsync(path, cancellationToken);
            var (vadResult, vadSeconds) = await MeasureAsync(() => Task.FromResult(vad.Detect(audio.Samples, cancellationToken)));
            var (_, prosodySeconds) = await MeasureAsync(() => Task.FromResult(prosody.Analyze(audio.Samples, vadResult.Segments, 10)));
            var (_, asrSeconds) = await MeasureAsync(() => engines.Select(EngineChoice.PocketSphinx, "en").TranscribeAsync(audio.Samples, new EngineRequest(), cancellationToken));

            var cliWatch = Stopwatch.StartNew();
            var cli = await PocketSphinxCli.TranscribeAsync(path, new PocketSphinxOptions(), cancellationToken);
            var cliSeconds = cliWatch.Elapsed.TotalSeconds;

            var serviceWer = WordErrorRate.Compute(reference, artifact.Text);
            var cliWer = WordErrorRate.Compute(reference, cli.Text);
            var d = artifact.DurationSeconds;
            output.WriteLine(string.Create(c,
                $"{Path.GetFileName(path),-44} {d,7:0.00} | {wall / d,8:0.000} {cpu / d,7:0.000} {serviceWer.Rate,6:P1} | {asrSeconds / d,7:0.000} {vadSeconds / d,7:0.000} {prosodySeconds / d,8:0.000} | {cliSeconds / d,8:0.000} {cli.ProcessorTime.TotalSeconds / d,7:0.000} {cliWer.Rate,6:P1}"));
            totalAudio += d;
            serviceWall += wall;
            serviceCpu += cpu;
            asrCpu += asrSeconds;
            vadCpu += vadSeconds;
            prosodyCpu += prosodySeconds;
            cliWall += cliSeconds;
            cliCpu += cli.ProcessorTime.TotalSeconds;
            serviceErrors += serviceWer.Errors;
            cliErrors += cliWer.Errors;
            words += serviceWer.ReferenceWords;
        }
        var a = totalAudio;
        output.WriteLine(string.Create(c,
            $"{"TOTAL (RTF over all files)",-44} {a,7:0.00} | {serviceWall / a,8:0.000} {serviceCpu / a,7:0.000} {serviceErrors / (double)words,6:P1} | {asrCpu / a,7:0.000} {vadCpu / a,7:0.000} {prosodyCpu / a,8:0.000} | {cliWall / a,8:0.000} {cliCpu / a,7:0.000} {cliErrors / (double)words,6:P1}"));
        output.WriteLine(string.Create(c, $"CPU time: service {serviceCpu:0.00} s vs CLI {cliCpu:0.00} s ({cliCpu / serviceCpu:0.00}x); wall: {serviceWall:0.00} s vs {cliWall:0.00} s. The CLI reloads its model per file; the service loads it once ({loadSeconds:0.00} s, not included)."));

        // Same service with pocketsphinx's fast search settings: the speed/accuracy trade-off users can choose.
        using var fastEngines = new TranscriptionEngineSelector(
            Microsoft.Extensions.Options.Options.Create(new WhisperOptions { ModelDirectory = Path.Combine(Path.GetTempPath(), "merfactory-no-whisper") }),
            Microsoft.Extensions.Options.Options.Create(new PocketSphinxOptions { ExtraArguments = [.. PocketSphinxOptions.FastSearchArguments] }));
        await fastEngines.Select(EngineChoice.PocketSphinx, "en").TranscribeAsync(new float[1600], new EngineRequest(), cancellationToken);
        var fastService = new TranscriptionService(decoder, fastEngines, prosody, vad);
        double fastWall = 0, fastCpu = 0;
        int fastErrors = 0;
        foreach (var (path, reference) in corpus)
        {
            var watch = Stopwatch.StartNew();
            var (artifact, cpu) = await MeasureAsync(() => fastService.TranscribeAsync(path, options, cancellationToken));
            fastWall += watch.Elapsed.TotalSeconds;
            fastCpu += cpu;
            fastErrors += WordErrorRate.Compute(reference, artifact.Text).Errors;
        }
        output.WriteLine(string.Create(c,
            $"fast search ({string.Join(' ', PocketSphinxOptions.FastSearchArguments)}): wall RTF {fastWall / a:0.000}, cpu RTF {fastCpu / a:0.000}, WER {fastErrors / (double)words:P1}; CPU {cliCpu / fastCpu:0.00}x less than the CLI"));
        return serviceErrors <= cliErrors ? 0 : 1;
    }

    /// <summary>
    /// Runs an action and returns its result with the CPU seconds spent meanwhile by this process and by the child
    /// processes it reaped (ffmpeg), so the service pays for its decoder like the CLI does.
    /// </summary>
    private static async Task<(T Result, double CpuSeconds)> MeasureAsync<T>(Func<Task<T>> action)
    {
        var before = CpuTime.Self + CpuTime.ReapedChildren;
        var result = await action();
        return (result, CpuTime.Self + CpuTime.ReapedChildren - before);
    }

    private static List<(string Path, string Reference)> LoadCorpus()
    {
        var corpus = File.ReadLines(Path.Combine(LibrivoxDirectory, "transcription"))
            .Where(line => line.Contains('(', StringComparison.Ordinal))
            .Select(line =>
            {
                var open = line.LastIndexOf('(');
                var id = line[(open + 1)..line.LastIndexOf(')')];
                var text = line[..open].Replace("<s>", "", StringComparison.Ordinal).Replace("</s>", "", StringComparison.Ordinal).Trim();
                return (Path.Combine(LibrivoxDirectory, id + ".wav"), text);
            })
            .ToList();
        corpus.Add((SharedData.DataPath("speech", "jfk.wav"), "And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country."));
        return corpus;
    }
}
