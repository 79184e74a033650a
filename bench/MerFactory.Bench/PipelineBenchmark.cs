using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using MerFactory.Llm.Tests.Fakes;
using MerFactory.Storage;
using MerFactory.Testing;

namespace MerFactory.Bench;

/// <summary>
/// The whole MER pipeline on N files with a loopback OpenAI-compatible model answering after a fixed latency: wall time
/// and files per minute of <c>merfactory process</c> at several <c>--concurrency</c> values (embedded), and through a
/// distributed deployment (<see cref="BenchDeployment"/>) with one and with two au-service instances. Inputs are either
/// copies of the shared clips (content-keyed steps then run once per distinct clip) or N distinct clips
/// (<see cref="DistinctClips"/>: every step runs for every file). Distributed runs also report CPU per service and the
/// object-store traffic per file against the size of the artifacts themselves.
/// </summary>
public sealed partial class PipelineBenchmark : IBenchmark
{
    private static readonly string[] Clips =
    [
        SharedData.DataPath("media", "openface_samples", "default.wmv"),
        SharedData.DataPath("media", "pyfeat", "single_face.mp4"),
        SharedData.DataPath("media", "pyfeat", "single_face.jpg"),
        SharedData.DataPath("speech", "jfk.wav"),
    ];

    public string Name => "pipeline";

    public string Description => "merfactory process (MER) on N copies of the shared clips or N distinct clips, loopback LLM of fixed latency: concurrency 1/4/8 embedded, distributed c8 with 1 and 2 au-service instances (CPU per service, store traffic per file)";

    /// <param name="args">[files=40] [latency-seconds=1] [embedded|distributed|all=all] [copies|distinct=copies]</param>
    public async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken cancellationToken)
    {
        var files = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 40;
        var latency = TimeSpan.FromSeconds(args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 1);
        var modes = args.Length > 2 ? args[2] : "all";
        var distinct = args.Length > 3 && args[3] == "distinct";
        var work = Directory.CreateTempSubdirectory("mf-bench-pipeline-").FullName;
        await using var model = new FakeOpenAi { ApiKey = null, Latency = latency, Answer = InstructionFollowingModel.Create() };
        await model.StartAsync();
        try
        {
            var input = Path.Combine(work, "in");
            await PrepareInputsAsync(input, files, distinct, output, cancellationToken);
            var inputBytes = Directory.EnumerateFiles(input).Sum(f => new FileInfo(f).Length);
            output.WriteLine($"--type MER, model latency {latency.TotalSeconds:0.##} s, inputs {inputBytes / 1e6:0.00} MB; CLI: {CliPath}");
            output.WriteLine("peak calls: most LLM requests the model answered at once. cli cpu s: the CLI process and its ffmpeg children; model cpu s: this process (the stand-in model, the store proxy), which a deployment runs elsewhere. load: /proc/loadavg (1 min) before -> after.");
            output.WriteLine($"{"mode",-34}{"wall s",9}{"files/min",11}{"LLM calls",11}{"speed-up",10}{"failed",8}{"cli cpu s",11}{"model cpu s",13}{"peak calls",12}{"load",14}");
            var results = new Dictionary<string, double>(StringComparer.Ordinal);
            double? baseline = null;
            var exit = 0;

            void Report(string mode, CliRun run, int calls, string load)
            {
                baseline ??= run.Seconds;
                results[mode] = run.Seconds;
                output.WriteLine($"{mode,-34}{run.Seconds,9:0.0}{files / run.Seconds * 60,11:0.0}{calls,11}{baseline.Value / run.Seconds,9:0.00}x{run.Failed,8}{run.CliCpuSeconds,11:0.0}{run.HarnessCpuSeconds,13:0.0}{model.TakePeakConcurrentCalls(),12}{load,14}");
                output.Flush();
                if (run.Failed != 0) exit = 1;
            }

            if (modes is "all" or "embedded")
            {
                foreach (var concurrency in (Environment.GetEnvironmentVariable("MERFACTORY_BENCH_CONCURRENCY") ?? "1,4,8").Split(',').Select(int.Parse))
                {
                    var (before, load) = (model.Calls.Count, LoadAverage());
                    model.TakePeakConcurrentCalls();
                    var outputDir = Path.Combine(work, $"embedded-c{concurrency}");
                    var run = await RunCliAsync(input, outputDir, concurrency, model, null, cancellationToken);
                    Report($"embedded, --concurrency {concurrency}", run, model.Calls.Count - before, $"{load}->{LoadAverage()}");
                    var inventory = await StoreInventory.ReadAsync(new FileSystemObjectStore(Path.Combine(outputDir, ".merfactory")), cancellationToken);
                    output.WriteLine($"    store (files in OUTPUT/.merfactory): step results {inventory.ArtifactBytes / 1e6 / files:0.000} MB/file; step keys: {inventory.KeysLine()}");
                }
                if (results.TryGetValue("embedded, --concurrency 1", out var c1) && results.TryGetValue("embedded, --concurrency 8", out var c8))
                    output.WriteLine($"embedded c8 vs c1: {c1 / c8:0.00}x");
            }

            if (modes is "all" or "distributed")
            {
                if (Environment.GetEnvironmentVariable("MERFACTORY_RABBITMQ") is not { } rabbit)
                    output.WriteLine("distributed: skipped (set MERFACTORY_RABBITMQ; `bash scripts/local-services.sh start DIR` prints it)");
                else
                    foreach (var instances in (Environment.GetEnvironmentVariable("MERFACTORY_BENCH_AU_INSTANCES") ?? "1,2").Split(',').Select(int.Parse))
                        exit |= await RunDistributedAsync(rabbit, instances, input, inputBytes, files, work, model, Report, results, output, cancellationToken);
            }
            return exit;
        }
        finally
        {
            if (Environment.GetEnvironmentVariable("MERFACTORY_BENCH_KEEP") is null) Directory.Delete(work, recursive: true);
            else output.WriteLine($"kept {work}");
        }
    }

    private static async Task PrepareInputsAsync(string input, int files, bool distinct, TextWriter output, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(input);
        if (distinct)
        {
            var clips = await DistinctClips.CreateAsync(input, 0, files, cancellationToken);
            output.WriteLine(await DistinctClips.VerifyDistinctAsync(clips, cancellationToken) + " (cut, cropped and scaled from default.wmv, single_face.mp4, multi_face.avi + jfk.wav)");
            return;
        }
        for (var i = 0; i < files; i++)
        {
            var clip = Clips[i % Clips.Length];
            File.Copy(clip, Path.Combine(input, $"sample{i:D3}{Path.GetExtension(clip)}"));
        }
        output.WriteLine($"{files} copies of {string.Join(", ", Clips.Select(Path.GetFileName))} in turn: identical bytes, so content-keyed steps run once per distinct clip.");
    }

    internal static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

    internal sealed record CliRun(double Seconds, int Failed, double CliCpuSeconds, double HarnessCpuSeconds);

    private static async Task<CliRun> RunCliAsync(string input, string outputDir, int concurrency, FakeOpenAi model, BenchDeployment? server, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { CliPath, "process", input, outputDir, "--silent", "-c", concurrency.ToString(CultureInfo.InvariantCulture),
                     "--chatgpt-model", "gpt-4o", "--openai-base-url", new Uri(model.BaseUrl, "v1").ToString(), "--model-capabilities", "text,image" })
            psi.ArgumentList.Add(a);
        if (server is not null) foreach (var a in new[] { "--server", server.JobApi, "--token", server.ClientToken }) psi.ArgumentList.Add(a);
        psi.Environment["NO_COLOR"] = "1";
        AddModelEnvironment(psi.Environment);
        foreach (var key in new[] { "GOOGLE_API_KEY", "OPENAI_API_KEY" }) psi.Environment.Remove(key);
        var (childrenCpu, ownCpu) = (CpuTime.ReapedChildren, CpuTime.Self);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        var seconds = clock.Elapsed.TotalSeconds;
        var (cliCpu, harnessCpu) = (CpuTime.ReapedChildren - childrenCpu, CpuTime.Self - ownCpu);
        var text = await stdout + await stderr;
        var failed = FailedLine().Match(text) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : process.ExitCode == 0 ? 0 : -1;
        if (failed != 0) Console.Error.WriteLine(text);
        return new CliRun(seconds, failed, cliCpu, harnessCpu);
    }

    /// <summary>
    /// The CLI under test: <c>MERFACTORY_BENCH_CLI</c> if set; else the ReadyToRun publish that <c>scripts/setup.sh</c>
    /// makes (<c>.build/merfactory</c>, what users run) unless it is older than the build beside the benchmark; else that build.
    /// </summary>
    internal static readonly string CliPath = FindCli();

    private static string FindCli()
    {
        if (Environment.GetEnvironmentVariable("MERFACTORY_BENCH_CLI") is { Length: > 0 } chosen) return Path.GetFullPath(chosen);
        var built = Path.Combine(AppContext.BaseDirectory, "merfactory.dll");
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (!File.Exists(Path.Combine(folder.FullName, "MerFactory.sln"))) continue;
            var published = Path.Combine(folder.FullName, ".build", "merfactory", "merfactory.dll");
            return File.Exists(published) && File.GetLastWriteTimeUtc(published) >= File.GetLastWriteTimeUtc(built) ? published : built;
        }
        return built;
    }

    internal static void AddModelEnvironment(IDictionary<string, string?> environment)
    {
        environment["AuModels__ModelsDirectory"] = SharedData.Data;
        environment["AuModels__YuNetModelPath"] = Path.Combine("models", "face_detection_yunet_2026may.onnx");
        environment["Speech__Vad__ModelPath"] = SharedData.DataPath("models", "silero_vad.onnx");
    }

    [GeneratedRegex(@"Failed: (\d+)")]
    private static partial Regex FailedLine();
}
