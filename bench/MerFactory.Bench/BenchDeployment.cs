using System.Diagnostics;
using System.Globalization;
using MerFactory.Distributed.Tests;
using MerFactory.Testing;

namespace MerFactory.Bench;

/// <summary>
/// The services as separate processes, configured as the AppHost configures them: RabbitMQ (<c>MERFACTORY_RABBITMQ</c>),
/// s3rver behind a counting proxy (<see cref="StoreTrafficProxy"/>), Debian's PostgreSQL for the job API, bearer tokens
/// between the services and for the CLI. The step services run from their Release builds, the CLI with <c>--server</c>.
/// </summary>
internal sealed class BenchDeployment : IAsyncDisposable
{
    private readonly List<(string Name, Process Process, int HealthPort)> _processes = [];
    private LocalS3Server? _s3;
    private LocalPostgres? _database;

    private BenchDeployment(string bucket) => Bucket = bucket;

    public string JobApi { get; private set; } = "";
    public string ClientToken { get; } = Guid.NewGuid().ToString("N");
    public string Bucket { get; }
    public StoreTrafficProxy Store { get; private set; } = null!;

    /// <summary>The S3 server itself, not the proxy: what the harness reads (listing the artifacts) is not counted.</summary>
    public string DirectStoreEndpoint => _s3!.Endpoint;

    /// <summary>What the run left in the bucket, read from s3rver's folder (or listed, for a configured endpoint).</summary>
    public async Task<StoreInventory> InventoryAsync(CancellationToken cancellationToken)
    {
        if (_s3!.DataDirectory is { } folder) return StoreInventory.FromS3rverFolder(folder, Bucket);
        using var direct = new MerFactory.Storage.S3ObjectStore(new MerFactory.Storage.S3StoreOptions { Endpoint = DirectStoreEndpoint, Bucket = Bucket });
        return await StoreInventory.ReadAsync(direct, cancellationToken);
    }

    public static async Task<BenchDeployment> StartAsync(string rabbit, Uri model, int auInstances, CancellationToken cancellationToken)
    {
        var deployment = new BenchDeployment($"bench-{Guid.NewGuid():N}"[..20]);
        deployment._s3 = await LocalS3Server.StartAsync();
        deployment.Store = await StoreTrafficProxy.StartAsync(deployment._s3.Endpoint);
        deployment._database = LocalPostgres.Start();
        var common = new Dictionary<string, string>
        {
            ["ConnectionStrings__messaging"] = rabbit,
            ["Messaging__EndpointPrefix"] = deployment.Bucket,
            ["ObjectStore__Provider"] = "S3",
            ["ObjectStore__S3__Endpoint"] = deployment.Store.Endpoint,
            ["ObjectStore__S3__Bucket"] = deployment.Bucket,
            ["Auth__Tokens__services"] = Guid.NewGuid().ToString("N"),
            ["LlmGateway__Backends__openai-compatible__Kind"] = "OpenAICompatible",
            ["LlmGateway__Backends__openai-compatible__BaseUrl"] = new Uri(model, "v1/").ToString(),
            ["LlmGateway__Backends__openai-compatible__MaxConcurrency"] = "24",
            ["LlmGateway__Backends__openai-compatible__ModelCapabilities__gpt-4o"] = "text,image",
            ["Logging__LogLevel__Default"] = "Warning",
            ["GOOGLE_API_KEY"] = "",
            ["OPENAI_API_KEY"] = "",
        };
        var services = new List<(string Folder, string Dll)> { ("media-extract", "MerFactory.MediaExtract.dll"), ("transcribe", "MerFactory.Transcribe.dll"), ("llm-gateway", "MerFactory.LlmGateway.dll") };
        services.AddRange(Enumerable.Repeat(("au-service", "MerFactory.AuService.dll"), auInstances));
        foreach (var (folder, dll) in services) deployment.Start(folder, dll, common);
        var jobs = new Dictionary<string, string>(common)
        {
            ["ConnectionStrings__jobsdb"] = deployment._database.ConnectionString,
            ["Auth__Tokens__bench"] = deployment.ClientToken,
        };
        var jobPort = deployment.Start("jobs", "MerFactory.JobApi.dll", jobs);
        deployment.JobApi = $"http://127.0.0.1:{jobPort}";
        // The clock starts once every service says it is healthy (its broker, store and database checks pass).
        foreach (var (_, _, healthPort) in deployment._processes) await WaitForHealthyAsync(healthPort, cancellationToken);
        return deployment;
    }

    /// <summary>CPU seconds of each service process (with its children) so far; au-service instances are summed.</summary>
    public Dictionary<string, double> CpuSeconds()
    {
        var cpu = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, process, _) in _processes) cpu[name] = cpu.GetValueOrDefault(name) + ProcessTreeCpu.Seconds(process.Id);
        if (PortOf(DirectStoreEndpoint) is { } s3Port && ProcessTreeCpu.ListeningPid(s3Port) is { } s3) cpu["s3rver"] = ProcessTreeCpu.Seconds(s3);
        return cpu;
    }

    /// <summary>PostgreSQL's port, from the job API's connection string.</summary>
    public int? DatabasePort => _database?.ConnectionString.Split(';').FirstOrDefault(p => p.StartsWith("Port=", StringComparison.Ordinal)) is { } port
        && int.TryParse(port["Port=".Length..], CultureInfo.InvariantCulture, out var number) ? number : null;

    public static int? PortOf(string url) => Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.Port : null;

    private int Start(string folder, string dll, IReadOnlyDictionary<string, string> environment)
    {
        var path = Path.Combine(SharedData.RepoRoot, "services", folder, "bin", "Release", "net10.0", dll);
        if (!File.Exists(path)) throw new FileNotFoundException($"{folder} is not built (dotnet build -c Release)", path);
        var psi = new ProcessStartInfo("dotnet", [path]) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(path)! };
        foreach (var (key, value) in environment) psi.Environment[key] = value;
        PipelineBenchmark.AddModelEnvironment(psi.Environment);
        // Runtime knobs to compare (e.g. "DOTNET_gcServer=0;DOTNET_TieredCompilation=0"), applied to every service.
        foreach (var setting in (Environment.GetEnvironmentVariable("MERFACTORY_BENCH_SERVICE_ENV") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries))
            psi.Environment[setting[..setting.IndexOf('=')]] = setting[(setting.IndexOf('=') + 1)..];
        var grpc = LocalS3Server.FreePort();
        psi.Environment["MERFACTORY_GRPC_PORT"] = grpc.ToString(CultureInfo.InvariantCulture);
        var health = LocalS3Server.FreePort();
        psi.Environment["MERFACTORY_HTTP_PORT"] = health.ToString(CultureInfo.InvariantCulture);
        var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line && line.Contains("fail", StringComparison.OrdinalIgnoreCase)) Console.Error.WriteLine($"[{folder}] {line}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add((folder, process, health));
        return grpc;
    }

    private static async Task WaitForHealthyAsync(int port, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (true)
        {
            try
            {
                using var response = await http.GetAsync($"http://127.0.0.1:{port}/health", cancellationToken);
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested) { }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"the service with health port {port} did not become healthy");
            await Task.Delay(250, cancellationToken); // a benchmark's start-up poll, not a test
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (_, process, _) in _processes)
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            process.Dispose();
        }
        await Store.DisposeAsync();
        _database?.Dispose();
        if (_s3 is not null) await _s3.DisposeAsync();
    }
}
