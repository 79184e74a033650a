using System.Diagnostics;
using System.Globalization;
using MerFactory.AuEngine.Detection;
using MerFactory.AuEngine.Models;
using MerFactory.AuEngine.Pipeline;
using MerFactory.Testing;

namespace MerFactory.Bench;

/// <summary>
/// Acceptance 4: the native AU engine on default.wmv as a whole child process (startup, model loading, decoding,
/// detection, landmarks, AUs, CSV) against <c>ffmpeg -i default.wmv -f null -</c> decoding the same file, in one run.
/// Target: at most 9x ffmpeg's decode time, peak memory (child VmHWM) under 600 MiB.
/// </summary>
public sealed class AuEngineBenchmark : IBenchmark
{
    private const string ChildFlag = "--engine-child";

    public string Name => "au-engine";

    public string Description => "native AU engine (child process) on default.wmv vs ffmpeg decode; fps, ratio, peak memory";

    public async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken cancellationToken)
    {
        if (args.Length >= 4 && args[0] == ChildFlag)
            return await RunChildAsync(args[1], args[2], int.Parse(args[3], CultureInfo.InvariantCulture), output, cancellationToken);

        // usage: au-engine [video] [detection-max-side (0 = full resolution)]
        var video = args.Length > 0 && args[0].Length > 0 ? args[0] : SharedData.DataPath("media", "openface_samples", "default.wmv");
        var maxSide = args.Length > 1 ? args[1] : ActionUnitEngine.DefaultMaxDetectionSide.ToString(CultureInfo.InvariantCulture);
        var csv = Path.Combine(Path.GetTempPath(), $"au-engine-bench-{Environment.ProcessId}.csv");

        var ffmpeg = await TimeProcessAsync("ffmpeg", ["-nostats", "-benchmark", "-i", video, "-f", "null", "-"], cancellationToken);
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("cannot locate the benchmark executable");
        List<string> childArgs = self.EndsWith("dotnet", StringComparison.Ordinal)
            ? [typeof(AuEngineBenchmark).Assembly.Location, Name, ChildFlag, video, csv, maxSide]
            : [Name, ChildFlag, video, csv, maxSide];
        var engine = await TimeProcessAsync(self, childArgs, cancellationToken);
        if (engine.ExitCode != 0)
        {
            await output.WriteLineAsync($"engine child failed ({engine.ExitCode}): {engine.Output}");
            return 1;
        }

        var frames = File.ReadLines(csv).Count() - 1;
        File.Delete(csv);
        var peakKib = engine.Output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("peak_kib=", StringComparison.Ordinal))?["peak_kib=".Length..];
        var peakMib = peakKib is null ? double.NaN : long.Parse(peakKib, CultureInfo.InvariantCulture) / 1024.0;
        var ratio = engine.Seconds / ffmpeg.Seconds;
        // CPU seconds are steadier than wall time on a shared machine: ffmpeg reports its own, the child reports its own.
        var ffmpegCpu = ParseFfmpegCpu(ffmpeg.Output);
        var engineCpu = Value(engine.Output, "cpu_s=");
        await output.WriteLineAsync($"video            {video} (detection max side {maxSide})");
        await output.WriteLineAsync($"ffmpeg decode    {ffmpeg.Seconds:F2} s");
        await output.WriteLineAsync($"au engine        {engine.Seconds:F2} s for {frames} frames = {frames / engine.Seconds:F1} fps (whole process incl. model loading)");
        await output.WriteLineAsync($"ratio            {ratio:F1}x decode time (target <= 9x; OpenFace measured 27x)");
        await output.WriteLineAsync($"cpu time         engine {engineCpu:F2} s vs ffmpeg {ffmpegCpu:F2} s = {engineCpu / ffmpegCpu:F1}x (load-independent view)");
        await output.WriteLineAsync($"peak memory      {peakMib:F0} MiB (child VmHWM; target < 600 MiB)");
        foreach (var line in engine.Output.Split('\n').Where(l => l.StartsWith("stage ", StringComparison.Ordinal)))
            await output.WriteLineAsync(line.TrimEnd());
        return ratio <= 9 && peakMib < 600 ? 0 : 1;
    }

    private static async Task<int> RunChildAsync(string video, string csvPath, int detectionMaxSide, TextWriter output, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var models = new AuModelOptions
        {
            ModelsDirectory = SharedData.Data,
            YuNetModelPath = Path.Combine("models", AuModelOptions.YuNetFileName),
        };
        using var engine = ActionUnitEngine.Create(models, new AuEngineOptions(), new FaceDetectionOptions { MaxDetectionSide = detectionMaxSide });
        var loaded = clock.Elapsed.TotalSeconds;
        await using var writer = new StreamWriter(csvPath);
        var rows = await engine.WriteOpenFaceCsvAsync(engine.AnalyzeVideoAsync(video, cancellationToken: ct), writer, ct);
        await output.WriteLineAsync($"stage model loading {loaded:F2} s, analysis {clock.Elapsed.TotalSeconds - loaded:F2} s, rows {rows}");
        await output.WriteLineAsync($"peak_kib={PeakResidentKib()}");
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"cpu_s={Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds:F3}"));
        return 0;
    }

    private static double Value(string text, string key) =>
        text.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith(key, StringComparison.Ordinal))
            .Select(l => double.Parse(l[key.Length..], CultureInfo.InvariantCulture)).DefaultIfEmpty(double.NaN).First();

    /// <summary>utime + stime from ffmpeg's "-benchmark" line ("bench: utime=0.250s stime=0.009s rtime=0.260s").</summary>
    private static double ParseFfmpegCpu(string text)
    {
        var line = text.Split('\n').FirstOrDefault(l => l.Contains("utime=", StringComparison.Ordinal));
        if (line is null) return double.NaN;
        double Field(string name)
        {
            var start = line.IndexOf(name, StringComparison.Ordinal) + name.Length;
            var end = line.IndexOf('s', start);
            return double.Parse(line[start..end], CultureInfo.InvariantCulture);
        }
        return Field("utime=") + Field("stime=");
    }

    private static long PeakResidentKib()
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? -1 : long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }

    private sealed record Timed(double Seconds, int ExitCode, string Output);

    private static async Task<Timed> TimeProcessAsync(string file, IEnumerable<string> arguments, CancellationToken ct)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        clock.Stop();
        return new Timed(clock.Elapsed.TotalSeconds, process.ExitCode, await stdout + await stderr);
    }
}
