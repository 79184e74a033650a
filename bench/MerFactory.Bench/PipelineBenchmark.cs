using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using MerFactory.Llm.Tests.Fakes;
using MerFactory.Testing;

namespace MerFactory.Bench;

/// <summary>
/// The whole MER pipeline on N files (copies of the shared clips: video, image, audio) with a loopback OpenAI-compatible
/// model answering after a fixed latency: wall time and files per minute of <c>merfactory process</c> at several
/// <c>--concurrency</c> values (embedded), and through a distributed deployment (RabbitMQ + s3rver + the services as
/// separate processes) with one and with two au-service instances.
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

    public string Description => "merfactory process (MER) on N copies of the shared clips with a loopback LLM of fixed latency: concurrency 1/4/8 embedded, distributed with 1 and 2 au-service instances; target c8 >= 4x c1";

    /// <param name="args">[files=40] [latency-seconds=1] [embedded|distributed|all=all]</param>
    public async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken cancellationToken)
    {
        var files = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 40;
        var latency = TimeSpan.FromSeconds(args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 1);
        var modes = args.Length > 2 ? args[2] : "all";
        var work = Directory.CreateTempSubdirectory("mf-bench-pipeline-").FullName;
        await using var model = new FakeOpenAi { ApiKey = null, Latency = latency, Answer = InstructionFollowingModel.Create() };
        await model.StartAsync();
        try
        {
            var input = Path.Combine(work, "in");
            Directory.CreateDirectory(input);
            for (var i = 0; i < files; i++)
            {
                var clip = Clips[i % Clips.Length];
                File.Copy(clip, Path.Combine(input, $"sample{i:D3}{Path.GetExtension(clip)}"));
            }
            output.WriteLine($"{files} files ({string.Join(", ", Clips.Select(Path.GetFileName))} in turn), --type MER, model latency {latency.TotalSeconds:0.##} s");
            output.WriteLine("Copies have identical bytes, so content-keyed steps (AU, transcript, frames) run once per distinct clip, and a copy waiting for one gives its slot up meanwhile; every LLM step is called for every file.");
            output.WriteLine($"CLI: {CliPath}");
            output.WriteLine("peak calls: most LLM requests the model answered at once (a MER file has up to 3 under way: audio, video and peak-frame descriptions; so at most 3 x concurrency).");
            output.WriteLine("cpu s: the CLI process and its ffmpeg children (a distributed run's services are not counted); model cpu s: this process, mostly the stand-in model server, which a real deployment runs elsewhere.");
            output.WriteLine($"{"mode",-34}{"wall s",9}{"files/min",11}{"LLM calls",11}{"speed-up",10}{"failed",8}{"cpu s",8}{"model cpu s",13}{"peak calls",12}");
            var results = new List<(string Mode, double Seconds)>();
            double? baseline = null;
            var exit = 0;

            void Report(string mode, CliRun run, int calls)
            {
                var (seconds, failed) = (run.Seconds, run.Failed);
                baseline ??= seconds;
                results.Add((mode, seconds));
                output.WriteLine($"{mode,-34}{seconds,9:0.0}{files / seconds * 60,11:0.0}{calls,11}{baseline.Value / seconds,9:0.00}x{failed,8}{run.CliCpuSeconds,8:0.0}{run.HarnessCpuSeconds,13:0.0}{model.TakePeakConcurrentCalls(),12}");
                output.Flush();
                if (failed > 0) exit = 1;
            }

            if (modes is "all" or "embedded")
            {
                foreach (var concurrency in (Environment.GetEnvironmentVariable("MERFACTORY_BENCH_CONCURRENCY") ?? "1,4,8").Split(',').Select(int.Parse))
                {
                    var before = model.Calls.Count;
                    model.TakePeakConcurrentCalls();
                    var run = await RunCliAsync(input, Path.Combine(work, $"embedded-c{concurrency}"), concurrency, model, null, cancellationToken);
                    Report($"embedded, --concurrency {concurrency}", run, model.Calls.Count - before);
                }
                var c1 = results.FirstOrDefault(r => r.Mode.EndsWith(" 1", StringComparison.Ordinal)).Seconds;
                var c8 = results.FirstOrDefault(r => r.Mode.EndsWith(" 8", StringComparison.Ordinal)).Seconds;
                if (c1 > 0 && c8 > 0)
                {
                    output.WriteLine($"embedded c8 vs c1: {c1 / c8:0.00}x (target >= 4x) -> {(c1 / c8 >= 4 ? "PASS" : "FAIL")}");
                    if (c1 / c8 < 4) exit = 1;
                }
            }

            if (modes is "all" or "distributed")
            {
                var rabbit = Environment.GetEnvironmentVariable("MERFACTORY_RABBITMQ");
                if (rabbit is null)
                {
                    output.WriteLine("distributed: skipped (set MERFACTORY_RABBITMQ; `bash scripts/local-services.sh start DIR` prints it)");
                }
                else
                {
                    foreach (var instances in new[] { 1, 2 })
                    {
                        await using var deployment = await Deployment.StartAsync(rabbit, model.BaseUrl, instances, cancellationToken);
                        var before = model.Calls.Count;
                        model.TakePeakConcurrentCalls();
                        var run = await RunCliAsync(input, Path.Combine(work, $"distributed-{instances}"), 8, model, deployment.JobApi, cancellationToken);
                        Report($"distributed c8, {instances} au-service", run, model.Calls.Count - before);
                    }
                }
            }
            return exit;
        }
        finally
        {
            if (Environment.GetEnvironmentVariable("MERFACTORY_BENCH_KEEP") is null) Directory.Delete(work, recursive: true);
            else output.WriteLine($"kept {work}");
        }
    }

    private sealed record CliRun(double Seconds, int Failed, double CliCpuSeconds, double HarnessCpuSeconds);

    private static async Task<CliRun> RunCliAsync(string input, string outputDir, int concurrency, FakeOpenAi model, string? server, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { CliPath, "process", input, outputDir, "--silent", "-c", concurrency.ToString(CultureInfo.InvariantCulture),
                     "--chatgpt-model", "gpt-4o", "--openai-base-url", new Uri(model.BaseUrl, "v1").ToString(), "--model-capabilities", "text,image" })
            psi.ArgumentList.Add(a);
        if (server is not null) { psi.ArgumentList.Add("--server"); psi.ArgumentList.Add(server); }
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

    /// <summary>The services as separate processes on RabbitMQ and s3rver, as the AppHost runs them.</summary>
    private sealed class Deployment : IAsyncDisposable
    {
        private readonly List<Process> _processes = [];
        private LocalS3Server? _s3;

        public string JobApi { get; private set; } = "";

        public static async Task<Deployment> StartAsync(string rabbit, Uri model, int auInstances, CancellationToken cancellationToken)
        {
            var deployment = new Deployment();
            deployment._s3 = await LocalS3Server.StartAsync();
            var bucket = $"bench-{Guid.NewGuid():N}"[..20];
            var common = new Dictionary<string, string>
            {
                ["ConnectionStrings__messaging"] = rabbit,
                ["Messaging__EndpointPrefix"] = bucket,
                ["ObjectStore__Provider"] = "S3",
                ["ObjectStore__S3__Endpoint"] = deployment._s3.Endpoint,
                ["ObjectStore__S3__Bucket"] = bucket,
                ["LlmGateway__Backends__openai-compatible__Kind"] = "OpenAICompatible",
                ["LlmGateway__Backends__openai-compatible__BaseUrl"] = new Uri(model, "v1/").ToString(),
                ["LlmGateway__Backends__openai-compatible__MaxConcurrency"] = "24",
                ["LlmGateway__Backends__openai-compatible__ModelCapabilities__gpt-4o"] = "text,image",
                ["Logging__LogLevel__Default"] = "Warning",
            };
            var services = new List<(string Folder, string Dll)> { ("media-extract", "MerFactory.MediaExtract.dll"), ("transcribe", "MerFactory.Transcribe.dll"), ("llm-gateway", "MerFactory.LlmGateway.dll") };
            services.AddRange(Enumerable.Repeat(("au-service", "MerFactory.AuService.dll"), auInstances));
            foreach (var (folder, dll) in services) deployment.Start(folder, dll, common, out _);
            var jobPort = deployment.Start("jobs", "MerFactory.JobApi.dll", common, out var _);
            deployment.JobApi = $"http://127.0.0.1:{jobPort}";
            await WaitForPortAsync(jobPort, cancellationToken);
            return deployment;
        }

        private int Start(string folder, string dll, IReadOnlyDictionary<string, string> common, out Process process)
        {
            var path = Path.Combine(SharedData.RepoRoot, "services", folder, "bin", "Release", "net10.0", dll);
            if (!File.Exists(path)) throw new FileNotFoundException($"{folder} is not built (dotnet build -c Release)", path);
            var psi = new ProcessStartInfo("dotnet", [path]) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(path)! };
            foreach (var (key, value) in common) psi.Environment[key] = value;
            AddModelEnvironment(psi.Environment);
            var grpc = LocalS3Server.FreePort();
            psi.Environment["MERFACTORY_GRPC_PORT"] = grpc.ToString(CultureInfo.InvariantCulture);
            psi.Environment["MERFACTORY_HTTP_PORT"] = LocalS3Server.FreePort().ToString(CultureInfo.InvariantCulture);
            process = Process.Start(psi)!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line && line.Contains("fail", StringComparison.OrdinalIgnoreCase)) Console.Error.WriteLine($"[{folder}] {line}"); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            _processes.Add(process);
            return grpc;
        }

        private static async Task WaitForPortAsync(int port, CancellationToken cancellationToken)
        {
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (true)
            {
                try
                {
                    using var client = new TcpClient();
                    await client.ConnectAsync("127.0.0.1", port, cancellationToken);
                    return;
                }
                catch (SocketException) when (DateTime.UtcNow < deadline)
                {
                    await Task.Delay(200, cancellationToken); // a benchmark's start-up poll, not a test
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var process in _processes)
            {
                if (!process.HasExited) process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
                process.Dispose();
            }
            if (_s3 is not null) await _s3.DisposeAsync();
        }
    }
}
