using System.Diagnostics;
using MassTransit;
using MerFactory.Contracts;
using MerFactory.Contracts.Media;
using MerFactory.Jobs.Messaging;
using MerFactory.Pipeline.Orchestration;
using MerFactory.Storage;
using MerFactory.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MerFactory.Steps;
using MerFactory.Steps.Media;

namespace MerFactory.Bench;

/// <summary>
/// WAV extraction and frame sampling on default.wmv through media-extract's step consumers (bus, object store,
/// hashing, manifests) against the plain ffmpeg CLI doing the same work, alternating runs in one process.
/// </summary>
public sealed class MediaBenchmark : IBenchmark
{
    public string Name => "media";

    public string Description => "media-extract (WAV + frames of default.wmv) vs the plain ffmpeg CLI; target overhead <= 10%";

    public async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken cancellationToken)
    {
        var runs = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 5;
        var fps = args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 0;
        var clip = args.Length > 2 ? args[2] : SharedData.DataPath("media", "openface_samples", "default.wmv");
        var work = Directory.CreateTempSubdirectory("mf-bench-media-").FullName;
        try
        {
            using var host = await StartHostAsync(Path.Combine(work, "store"), cancellationToken);
            var steps = host.Services.GetRequiredService<StepClient>();
            var store = host.Services.GetRequiredService<IObjectStore>();
            var cli = new List<double>();
            var service = new List<double>();
            // One warm-up of each, then alternate so load changes hit both sides alike.
            await RunCliAsync(clip, Path.Combine(work, "warm"), fps, cancellationToken);
            await RunServiceAsync(steps, store, clip, fps, 0, cancellationToken);
            for (var i = 1; i <= runs; i++)
            {
                cli.Add(await RunCliAsync(clip, Path.Combine(work, $"cli{i}"), fps, cancellationToken));
                service.Add(await RunServiceAsync(steps, store, clip, fps, i, cancellationToken));
            }
            await host.StopAsync(cancellationToken);
            var cliMedian = Median(cli);
            var serviceMedian = Median(service);
            var overhead = (serviceMedian / cliMedian - 1) * 100;
            output.WriteLine($"clip: {Path.GetFileName(clip)}, frames: {(fps > 0 ? $"{fps} fps" : "every frame")}, runs: {runs}");
            output.WriteLine($"{"",-28}{"median s",10}{"min s",10}{"max s",10}");
            output.WriteLine($"{"ffmpeg CLI (wav + frames)",-28}{cliMedian,10:0.000}{cli.Min(),10:0.000}{cli.Max(),10:0.000}");
            output.WriteLine($"{"media-extract steps",-28}{serviceMedian,10:0.000}{service.Min(),10:0.000}{service.Max(),10:0.000}");
            output.WriteLine($"overhead: {overhead:+0.0;-0.0}% (target <= 10%) -> {(overhead <= 10 ? "PASS" : "FAIL")}");
            return overhead <= 10 ? 0 : 1;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task<IHost> StartHostAsync(string storeRoot, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddObjectStore(new ObjectStoreOptions { Provider = "FileSystem", Root = storeRoot });
        builder.Services.AddMediaSteps();
        builder.Services.AddStepMessaging(new MessagingOptions { Transport = "InMemory" });
        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        return host;
    }

    /// <summary>The same two ffmpeg jobs the steps run (the steps also probe; so does this, as a user's script would).</summary>
    private static async Task<double> RunCliAsync(string clip, string outDir, double fps, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.Combine(outDir, "frames"));
        var clock = Stopwatch.StartNew();
        var filter = fps > 0 ? $"-vf fps={fps.ToString(System.Globalization.CultureInfo.InvariantCulture)} " : "";
        await Task.WhenAll(
            Run("ffprobe", $"-v error -show_format -show_streams -of json \"{clip}\"", cancellationToken),
            Run("ffmpeg", $"-v error -y -i \"{clip}\" -vn -sn -dn -map 0:a:0 -ac 1 -ar 16000 -c:a pcm_s16le \"{Path.Combine(outDir, "audio.wav")}\"", cancellationToken),
            Run("ffmpeg", $"-v error -y -i \"{clip}\" -an -sn {filter}-fps_mode passthrough -start_number 0 \"{Path.Combine(outDir, "frames", "frame_%06d.png")}\"", cancellationToken));
        return clock.Elapsed.TotalSeconds;
    }

    private static async Task<double> RunServiceAsync(StepClient steps, IObjectStore store, string clip, double fps, int run, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        // A distinct input each run (one appended byte) so no step is answered from an earlier run's artifacts.
        var bytes = await File.ReadAllBytesAsync(clip, cancellationToken);
        var info = await store.PutAsync($"inputs/run{run}{Path.GetExtension(clip)}", new MemoryStream([.. bytes, (byte)run]), null, cancellationToken);
        var source = new ObjectReference(store.Bucket, info.Key, info.Size, info.Sha256!);
        var job = Guid.NewGuid();
        await Task.WhenAll(
            steps.RequestAsync(new ExtractAudio(job, "bench", source), cancellationToken),
            steps.RequestAsync(new SampleFrames(job, "bench", source, fps), cancellationToken));
        return clock.Elapsed.TotalSeconds;
    }

    private static async Task Run(string tool, string arguments, CancellationToken cancellationToken)
    {
        using var process = Process.Start(new ProcessStartInfo(tool, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        await stdout;
        if (process.ExitCode != 0) throw new InvalidOperationException($"{tool} failed: {await stderr}");
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
