using System.Diagnostics;
using System.Globalization;
using MerFactory.AuEngine.Detection;
using MerFactory.AuEngine.Models;
using MerFactory.AuEngine.Pipeline;
using MerFactory.Testing;

namespace MerFactory.Bench;

/// <summary>
/// Issue 19, acceptance 4: the native AU engine on default.wmv as a whole process against
/// <c>ffmpeg -i default.wmv -f null -</c> decoding the same file, side by side in one run, with CLNF landmarks (target
/// ≤ 9x) and dlib landmarks (target ≤ 6x). The judged process is <c>merfactory au VIDEO CSV</c>, the CLI as users run it
/// (startup, model loading, decoding, detection, landmarks, AUs, CSV), the counterpart of OpenFace's FeatureExtraction;
/// an engine child of this benchmark does the same work and reports its stages and peak memory (VmHWM, &lt; 400 MiB).
/// Also one JPEG through the whole <c>process --type AU</c> pipeline (target ≤ 1.5 s) and frames per second over the
/// distinct sample clips.
/// </summary>
public sealed class AuEngineBenchmark : IBenchmark
{
    private const string ChildFlag = "--engine-child";

    public string Name => "au-engine";

    public string Description => "`merfactory au` and an engine child on default.wmv vs ffmpeg decode; fps, ratio, peak memory; one JPEG";

    public async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken cancellationToken)
    {
        if (args.Length >= 5 && args[0] == ChildFlag)
            return await RunChildAsync(args[1], args[2], int.Parse(args[3], CultureInfo.InvariantCulture), Enum.Parse<LandmarkMethod>(args[4]), output, cancellationToken);

        // usage: au-engine [video] [detection-max-side (0 = full resolution)] [rounds]
        var video = args.Length > 0 && args[0].Length > 0 ? args[0] : SharedData.DataPath("media", "openface_samples", "default.wmv");
        var maxSide = args.Length > 1 ? args[1] : ActionUnitEngine.DefaultMaxDetectionSide.ToString(CultureInfo.InvariantCulture);
        var rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3;
        var csv = Path.Combine(Path.GetTempPath(), $"au-engine-bench-{Environment.ProcessId}.csv");
        await output.WriteLineAsync($"video            {video} (detection max side {maxSide}); {rounds} rounds; load average {LoadAverage()} at the start");

        // Rounds interleave the decoder and both engines, so a slower spell of the machine weighs on each alike; every
        // ratio is one round's engine time over the same round's decode time, and the median round is the figure.
        var methods = new[] { ("Clnf", 9.0), ("Dlib", 6.0) };
        var decodes = new List<double>();
        var runs = methods.ToDictionary(m => m.Item1, _ => new List<(Timed Run, double Ratio, int Frames)>());
        var auRuns = methods.ToDictionary(m => m.Item1, _ => new List<(Timed Run, double Ratio, int Frames)>());
        for (var round = 0; round < rounds; round++)
        {
            var ffmpeg = await TimeProcessAsync("ffmpeg", ["-nostats", "-i", video, "-f", "null", "-"], cancellationToken);
            decodes.Add(ffmpeg.Seconds);
            foreach (var (method, _) in methods)
            {
                var engine = await ChildAsync(video, csv, maxSide, method, cancellationToken);
                if (engine.ExitCode != 0)
                {
                    await output.WriteLineAsync($"engine child failed ({engine.ExitCode}): {engine.Output}");
                    return 1;
                }
                runs[method].Add((engine, engine.Seconds / ffmpeg.Seconds, File.ReadLines(csv).Count() - 1));
                File.Delete(csv);
                var au = await CliAuAsync(video, csv, method, cancellationToken);
                if (au.ExitCode != 0 || !File.Exists(csv))
                {
                    await output.WriteLineAsync($"`merfactory au` failed ({au.ExitCode}): {au.Output}");
                    return 1;
                }
                auRuns[method].Add((au, au.Seconds / ffmpeg.Seconds, File.ReadLines(csv).Count() - 1));
                File.Delete(csv);
            }
        }
        await output.WriteLineAsync($"ffmpeg decode    median {Median(decodes):F2} s (rounds: {Rounds(decodes)})");
        var pass = true;
        foreach (var (method, target) in methods)
        {
            var judged = auRuns[method];
            var cliRatio = Median(judged.Select(r => r.Ratio));
            var cliSeconds = Median(judged.Select(r => r.Run.Seconds));
            await output.WriteLineAsync($"{method,-5} `merfactory au` median {cliSeconds:F2} s for {judged[0].Frames} frames = {judged[0].Frames / cliSeconds:F1} fps; " +
                                        $"{cliRatio:F1}x decode time (target <= {target}x; OpenFace measured 27x; rounds: {Rounds(judged.Select(r => r.Ratio), "x")})");
            var all = runs[method];
            var ratio = Median(all.Select(r => r.Ratio));
            var median = all.OrderBy(r => r.Ratio).ElementAt(all.Count / 2);
            var peakMib = all.Max(r => Value(r.Run.Output, "peak_kib=")) / 1024.0;
            var seconds = Median(all.Select(r => r.Run.Seconds));
            await output.WriteLineAsync($"      engine child (this benchmark, JIT-compiled) median {seconds:F2} s = {ratio:F1}x (rounds: {Rounds(all.Select(r => r.Ratio), "x")}); peak {peakMib:F0} MiB");
            foreach (var line in median.Run.Output.Split('\n').Where(l => l.StartsWith("stage ", StringComparison.Ordinal)))
                await output.WriteLineAsync("      " + line.TrimEnd());
            pass &= cliRatio <= target && peakMib < 400;
        }

        var image = SharedData.DataPath("media", "pyfeat", "single_face.jpg");
        var stills = new List<Timed>();
        var clis = new List<Timed>();
        for (var round = 0; round < rounds; round++)
        {
            stills.Add(await ChildAsync(image, csv, maxSide, "Clnf", cancellationToken));
            File.Delete(csv);
            clis.Add(await CliJpegAsync(image, cancellationToken));
        }
        var still = stills.OrderBy(r => r.Seconds).ElementAt(stills.Count / 2);
        await output.WriteLineAsync($"one JPEG (CLNF)  median {still.Seconds:F2} s engine process (target <= 1.5 s; rounds: {Rounds(stills.Select(r => r.Seconds))}); " +
                                    $"peak {Value(still.Output, "peak_kib=") / 1024.0:F0} MiB; " + Value(still.Output, "stage ", "model loading"));
        pass &= stills.All(r => r.ExitCode == 0) && still.Seconds <= 1.5;
        var cli = Median(clis.Select(r => r.Seconds));
        var cliFailures = clis.Where(r => r.ExitCode != 0).Select(r => r.Output).FirstOrDefault();
        await output.WriteLineAsync($"one JPEG (CLI)   median {cli:F2} s whole `merfactory process IMG OUT --type AU --evidence-only` (target <= 1.5 s; rounds: {Rounds(clis.Select(r => r.Seconds))}; " +
                                    $"{PipelineBenchmark.CliPath}){(cliFailures is null ? "" : $"; FAILED: {cliFailures}")}");
        pass &= cliFailures is null && cli <= 1.5;

        // Distinct clips (not copies): the sample videos, one child each, frames per second of the whole process.
        var clips = new[] { video, SharedData.DataPath("media", "pyfeat", "single_face.mp4"), SharedData.DataPath("media", "openface_samples", "multi_face.avi") }
            .Distinct().Where(File.Exists).ToList();
        double totalSeconds = 0;
        var totalFrames = 0;
        foreach (var clip in clips)
        {
            var run = await ChildAsync(clip, csv, maxSide, "Clnf", cancellationToken);
            if (run.ExitCode != 0) continue;
            totalFrames += File.ReadLines(csv).Count() - 1;
            totalSeconds += run.Seconds;
            File.Delete(csv);
        }
        await output.WriteLineAsync($"batch (CLNF)     {clips.Count} distinct clips, {totalFrames} frames in {totalSeconds:F2} s = {totalFrames / totalSeconds:F1} fps (whole processes)");
        await output.WriteLineAsync($"load average     {LoadAverage()} at the end (other processes share the cores: ratios of wall times suffer first)");
        return pass ? 0 : 1;
    }

    private async Task<Timed> ChildAsync(string input, string csv, string maxSide, string method, CancellationToken ct)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("cannot locate the benchmark executable");
        List<string> childArgs = self.EndsWith("dotnet", StringComparison.Ordinal)
            ? [typeof(AuEngineBenchmark).Assembly.Location, Name, ChildFlag, input, csv, maxSide, method]
            : [Name, ChildFlag, input, csv, maxSide, method];
        // The engine runs as the CLI runs it: the CLI is built with TieredPGO off (its csproj), the benchmark is not.
        return await TimeProcessAsync(self, childArgs, ct, new Dictionary<string, string?> { ["DOTNET_TieredPGO"] = "0" });
    }

    /// <summary><c>merfactory au VIDEO CSV --landmarks METHOD</c> with the CLI users run.</summary>
    private static async Task<Timed> CliAuAsync(string video, string csv, string method, CancellationToken ct)
    {
        var environment = new Dictionary<string, string?>();
        PipelineBenchmark.AddModelEnvironment(environment);
        return await TimeProcessAsync("dotnet", [PipelineBenchmark.CliPath, "au", video, csv, "--landmarks", method.ToLowerInvariant()], ct, environment);
    }

    /// <summary>The real CLI on one image, AU evidence only (no LLM), into a fresh output folder.</summary>
    private static async Task<Timed> CliJpegAsync(string image, CancellationToken ct)
    {
        var output = Directory.CreateTempSubdirectory("au-engine-cli-");
        try
        {
            var environment = new Dictionary<string, string?>();
            PipelineBenchmark.AddModelEnvironment(environment);
            var run = await TimeProcessAsync("dotnet", [PipelineBenchmark.CliPath, "process", image, output.FullName, "--type", "AU", "--evidence-only", "--silent"], ct, environment);
            // Exit 0 with a per-file error (a missing model, say) is not an AU run: the file's CSV must be there.
            var stem = Path.GetFileNameWithoutExtension(image);
            return File.Exists(Path.Combine(output.FullName, stem, stem + ".csv")) ? run : run with { ExitCode = run.ExitCode == 0 ? -1 : run.ExitCode };
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }

    private static async Task<int> RunChildAsync(string video, string csvPath, int detectionMaxSide, LandmarkMethod method, TextWriter output, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var models = new AuModelOptions
        {
            ModelsDirectory = SharedData.Data,
            YuNetModelPath = Path.Combine("models", AuModelOptions.YuNetFileName),
        };
        // MERFACTORY_BENCH_DECODER=OpenCv measures the in-process decoder instead of the default (the ffmpeg program).
        var decoder = Enum.TryParse<VideoDecoder>(Environment.GetEnvironmentVariable("MERFACTORY_BENCH_DECODER"), out var chosen) ? chosen : new AuEngineOptions().VideoDecoder;
        var engineOptions = new AuEngineOptions { Landmarks = method, VideoDecoder = decoder };
        var isImage = Path.GetExtension(video).ToLowerInvariant() is ".jpg" or ".jpeg" or ".png";
        // As the AU step does: the video's decoder starts before the models load.
        using var opened = isImage ? null : ActionUnitEngine.OpenVideo(video, engineOptions);
        using var engine = ActionUnitEngine.Create(models, engineOptions, new FaceDetectionOptions { MaxDetectionSide = detectionMaxSide });
        var loaded = clock.Elapsed.TotalSeconds;
        foreach (var note in engine.CompiledModels)
            await output.WriteLineAsync($"stage compiled model {note.Kind}: {note.Outcome}{(note.Reason is null ? "" : $" ({note.Reason})")}");
        await using var writer = new StreamWriter(csvPath);
        var source = isImage
            ? engine.AnalyzeImage(video, new AuRunOptions { IncludeLandmarks = true }).Faces.ToAsyncEnumerable()
            : engine.AnalyzeVideoAsync(opened!, new AuRunOptions { IncludeLandmarks = true }, ct);
        var rows = await engine.WriteOpenFaceCsvAsync(source, writer, ct, landmarkColumns: true);
        await output.WriteLineAsync($"stage model loading {loaded:F2} s, analysis {clock.Elapsed.TotalSeconds - loaded:F2} s, rows {rows}");
        await output.WriteLineAsync($"peak_kib={PeakResidentKib()}");
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"cpu_s={Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds:F3}"));
        return 0;
    }

    /// <summary>The rest of the first output line starting with <paramref name="prefix"/> and holding <paramref name="marker"/>.</summary>
    private static string Value(string text, string prefix, string marker) =>
        text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal) && l.Contains(marker, StringComparison.Ordinal))?[prefix.Length..] ?? "";

    private static double Value(string text, string key) =>
        text.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith(key, StringComparison.Ordinal))
            .Select(l => double.Parse(l[key.Length..], CultureInfo.InvariantCulture)).DefaultIfEmpty(double.NaN).First();

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string Rounds(IEnumerable<double> values, string unit = "s") =>
        string.Join(", ", values.Select(v => v.ToString("F2", CultureInfo.InvariantCulture) + unit));

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static long PeakResidentKib()
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? -1 : long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }

    private sealed record Timed(double Seconds, int ExitCode, string Output);

    private static async Task<Timed> TimeProcessAsync(string file, IEnumerable<string> arguments, CancellationToken ct,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>()) info.Environment[key] = value;
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        clock.Stop();
        return new Timed(clock.Elapsed.TotalSeconds, process.ExitCode, await stdout + await stderr);
    }
}
