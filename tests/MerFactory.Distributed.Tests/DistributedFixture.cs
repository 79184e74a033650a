using System.Diagnostics;
using Grpc.Net.Client;
using MerFactory.Protos.Clients;
using MassTransit;
using MerFactory.Jobs.Messaging;
using MerFactory.Pipeline.Orchestration;
using MerFactory.Storage;
using MerFactory.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MerFactory.Steps;

namespace MerFactory.Distributed.Tests;

/// <summary>
/// The real RabbitMQ (MERFACTORY_RABBITMQ, started by scripts/test.sh) and an S3 server, plus helpers to run
/// the media-extract service as its own process, as it runs in a deployment.
/// </summary>
public class DistributedFixture : IAsyncLifetime
{
    private string? _rabbitMq;

    public LocalS3Server S3 { get; private set; } = null!;

    /// <summary>The credential services call each other with; every service started here accepts it.</summary>
    public const string ServiceToken = "test-service-token";

    /// <summary>Two clients of the job API and the export service (see <see cref="UserCredentials"/>).</summary>
    public const string AliceToken = "test-alice-token", BobToken = "test-bob-token";

    /// <summary>The settings that make a client-facing service (job API, export) accept alice and bob.</summary>
    public static Dictionary<string, string> UserCredentials() => new()
    {
        ["Auth__Tokens__alice"] = AliceToken,
        ["Auth__Tokens__bob"] = BobToken,
    };

    /// <summary>A channel to a service on this machine that sends <paramref name="token"/> with every call.</summary>
    public static GrpcChannel Channel(int port, string token = ServiceToken, GrpcChannelOptions? options = null) =>
        ApiChannel.Create($"http://127.0.0.1:{port}", token, options);

    /// <summary>The broker every process of this fixture uses: the shared one, unless a derived fixture brings its own.</summary>
    public string RabbitMq
    {
        get => _rabbitMq ??= Environment.GetEnvironmentVariable("MERFACTORY_RABBITMQ")
            ?? throw new InvalidOperationException("MERFACTORY_RABBITMQ is not set: run the tests through scripts/test.sh, which starts RabbitMQ on loopback.");
        protected set => _rabbitMq = value;
    }

    /// <summary>A virtual-host-free isolation: every fixture uses its own bucket so runs never share artifacts.</summary>
    public string Bucket { get; } = $"dist-{Guid.NewGuid():N}"[..20];

    public virtual async Task InitializeAsync() => S3 = await LocalS3Server.StartAsync();

    public virtual async Task DisposeAsync()
    {
        await S3.DisposeAsync();
        if (_database.IsValueCreated) _database.Value.Dispose();
    }

    private readonly Lazy<LocalPostgres> _database = new(LocalPostgres.Start);

    /// <summary>The job service's database (started on first use): jobs outlive a job service process.</summary>
    public LocalPostgres Database => _database.Value;

    public S3ObjectStore CreateStore() => new(new S3StoreOptions { Endpoint = S3.Endpoint, Bucket = Bucket });

    /// <summary>A second "service": a bus on RabbitMQ with no consumers, that sends step requests and runs jobs (the orchestrator).</summary>
    public async Task<IHost> StartClientAsync()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddObjectStore(new ObjectStoreOptions { Provider = "S3", S3 = new S3StoreOptions { Endpoint = S3.Endpoint, Bucket = Bucket } });
        builder.Services.AddStepMessaging(new MessagingOptions { Transport = "RabbitMq", RabbitMqConnectionString = RabbitMq, RequestTimeout = TimeSpan.FromMinutes(5), EndpointPrefix = Bucket });
        builder.Services.AddJobOrchestration();
        var host = builder.Build();
        await host.StartAsync();
        await host.Services.GetRequiredService<IBusControl>().WaitForHealthStatus(BusHealthStatus.Healthy, TimeSpan.FromSeconds(60));
        return host;
    }

    public Process StartMediaExtract() => StartMediaExtract(out _, out _);

    /// <summary>Starts media-extract; its gRPC port and its console output (for failure messages) come back too.</summary>
    public Process StartMediaExtract(out int grpcPort, out System.Text.StringBuilder log) =>
        StartService("media-extract", "MerFactory.MediaExtract.dll", out grpcPort, out log);

    public Process StartService(string projectFolder, string dllName) => StartService(projectFolder, dllName, out _, out _);

    /// <summary>
    /// Starts a built service under <c>services/{projectFolder}</c> on this fixture's RabbitMQ, queue prefix and bucket;
    /// <paramref name="environment"/> adds service settings (e.g. <c>Speech__Vad__ModelPath</c>).
    /// </summary>
    public Process StartService(string projectFolder, string dllName, out int grpcPort, out System.Text.StringBuilder log,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var dll = Path.Combine(SharedData.RepoRoot, "services", projectFolder, "bin", BuildConfiguration, "net10.0", dllName);
        if (!File.Exists(dll)) throw new FileNotFoundException($"{projectFolder} is not built", dll);
        var psi = new ProcessStartInfo("dotnet", [dll]) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(dll)! };
        psi.Environment["ConnectionStrings__messaging"] = RabbitMq;
        psi.Environment["Messaging__EndpointPrefix"] = Bucket;
        psi.Environment["ObjectStore__Provider"] = "S3";
        psi.Environment["ObjectStore__S3__Endpoint"] = S3.Endpoint;
        psi.Environment["ObjectStore__S3__Bucket"] = Bucket;
        grpcPort = LocalS3Server.FreePort();
        psi.Environment["MERFACTORY_GRPC_PORT"] = grpcPort.ToString();
        psi.Environment["MERFACTORY_HTTP_PORT"] = LocalS3Server.FreePort().ToString();
        psi.Environment["Auth__Tokens__services"] = ServiceToken;
        if (projectFolder == "jobs") psi.Environment["ConnectionStrings__jobsdb"] = Database.ConnectionString;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) psi.Environment[name] = value;
        var process = new ServiceProcess { StartInfo = psi };
        process.Start();
        var output = new System.Text.StringBuilder();
        log = output;
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>
    /// Starts the built service <paramref name="serviceFolder"/>/<paramref name="assemblyName"/>.dll (e.g. "export",
    /// "MerFactory.ExportService") on this fixture's RabbitMQ, S3 bucket and endpoint prefix, on free ports.
    /// </summary>
    public Process StartServiceProcess(string serviceFolder, string assemblyName, out int grpcPort, out System.Text.StringBuilder log) =>
        StartService(serviceFolder, assemblyName + ".dll", out grpcPort, out log);

    /// <summary>As <see cref="StartService(string, string, out int, out System.Text.StringBuilder, IReadOnlyDictionary{string, string}?)"/>, with <paramref name="env"/> applied last.</summary>
    public Process StartService(string projectFolder, string dllName, IDictionary<string, string>? env, out int grpcPort, out System.Text.StringBuilder log) =>
        StartService(projectFolder, dllName, out grpcPort, out log, env is null ? null : new Dictionary<string, string>(env));

    internal static string BuildConfiguration =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
}

/// <summary>A service started by a test: disposing it stops it (a plain <see cref="Process"/> would keep running, orphaned).</summary>
internal sealed class ServiceProcess : Process
{
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            try
            {
                if (!HasExited)
                {
                    Kill(entireProcessTree: true);
                    WaitForExit(10_000);
                }
            }
            catch (InvalidOperationException)
            {
                // never started or already reaped
            }
        }
        base.Dispose(disposing);
    }
}
