using System.Diagnostics;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using MerFactory.Llm.Tests.Fakes;
using MerFactory.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MerFactory.AppHost.Tests;

/// <summary>
/// One start of the real AppHost (RabbitMQ, s3rver and postgres as executables here) shared by the test classes: every resource
/// healthy, the llm-gateway configured through the AppHost with a loopback OpenAI-compatible model. The broker and the
/// object store run on ports and in a folder of this run, so it never meets scripts/test.sh's services or another run.
/// </summary>
public class AppHostFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromMinutes(8);

    private const string ModelKey = "sk-apphost-loopback-key";
    private readonly string _state = Directory.CreateTempSubdirectory("mf-apphost-").FullName;
    private readonly string _noWhisperModels = Directory.CreateTempSubdirectory("mf-no-whisper-").FullName;

    /// <summary>The folder the dashboard's run builder takes inputs from (its <c>Dashboard:InputRoot</c>).</summary>
    public string DashboardInputs { get; } = Directory.CreateTempSubdirectory("mf-dash-inputs-").FullName;
    private readonly int _amqpPort = FreePorts.Block(3); // AMQP, Erlang distribution, epmd
    private readonly int _s3Port = FreePorts.Block(1);
    private readonly int _databasePort = FreePorts.Block(1);
    private DistributedApplication? _app;
    private readonly RecentResourceLogs _logs = new();

    /// <summary>The model behind the llm-gateway; it accepts only the key the AppHost passes as a secret parameter.</summary>
    public FakeOpenAi Model { get; } = new() { ApiKey = ModelKey, Answer = InstructionFollowingModel.Create() };

    /// <summary>The database password handed to the AppHost as its secret parameter.</summary>
    public string DatabasePassword { get; } = "pw-" + Guid.NewGuid().ToString("N");

    /// <summary>The clients' token on the job API (the AppHost's api-token parameter; credential "default").</summary>
    public string ApiToken { get; } = "api-" + Guid.NewGuid().ToString("N");

    /// <summary>The token services call each other with (the service-token parameter).</summary>
    public string ServiceToken { get; } = "svc-" + Guid.NewGuid().ToString("N");

    public DistributedApplication App => _app ?? throw new InvalidOperationException("the AppHost is not started");

    public async Task InitializeAsync()
    {
        // PostgreSQL runs as the `postgres` user when the tests run as root: it must be able to enter the state folder.
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(_state, File.GetUnixFileMode(_state) | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        await Model.StartAsync();
        // Two AppHosts booting at once (this fixture and the hf-server one) start ~20 processes on a 2-core machine
        // beside the other test assemblies: one starts at a time, the other's tests run meanwhile.
        await OneStartAtATime.WaitAsync();
        try
        {
            await StartAsync();
        }
        finally
        {
            OneStartAtATime.Release();
        }
    }

    private static readonly SemaphoreSlim OneStartAtATime = new(1, 1);

    private async Task StartAsync()
    {
        using var cts = new CancellationTokenSource(StartupTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.MerFactory_AppHost>(
        [
            "DcpPublisher:RandomizePorts=false",
            "MerFactory:UseContainers=false",
            $"MerFactory:AmqpPort={_amqpPort}",
            $"MerFactory:S3Port={_s3Port}",
            $"MerFactory:DatabasePort={_databasePort}",
            $"MerFactory:JobApiPort={FreePorts.Block(1)}",
            // A password of this run (not one generated and persisted into the developer's user secrets).
            $"Parameters:postgres-password={DatabasePassword}",
            $"Parameters:api-token={ApiToken}",
            $"Parameters:service-token={ServiceToken}",
            $"MerFactory:StateDirectory={Path.Combine(_state, "state")}",
            $"Dashboard:InputRoot={DashboardInputs}",
            // Models from the shared folder (what `merfactory models install --from` would install); no Whisper model.
            $"AuModels:ModelsDirectory={SharedData.Data}",
            $"AuModels:YuNetModelPath={Path.Combine("models", "face_detection_yunet_2026may.onnx")}",
            $"Speech:ModelsDirectory={_noWhisperModels}",
            $"Speech:Vad:ModelPath={SharedData.DataPath("models", "silero_vad.onnx")}",
            .. ModelArguments(),
        ], cts.Token);
        builder.Services.AddLogging(logging => logging.AddProvider(_logs).AddFilter<RecentResourceLogs>(null, LogLevel.Trace));
        _app = await builder.BuildAsync(cts.Token);
        var model = _app.Services.GetRequiredService<DistributedApplicationModel>();
        try
        {
            await _app.StartAsync(cts.Token);
            foreach (var resource in model.Resources.Where(r => (r is ProjectResource or ExecutableResource) && !r.Name.EndsWith("-rebuilder", StringComparison.Ordinal)))
                await _app.ResourceNotifications.WaitForResourceHealthyAsync(resource.Name, cts.Token);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"the AppHost's resources were not all healthy in {StartupTimeout}: {Describe(model)}");
        }
    }

    /// <summary>Every resource's state and the last log lines of the first ones not healthy: a failed start explained without a rerun.</summary>
    private string Describe(DistributedApplicationModel model)
    {
        var states = new List<string>();
        var unhealthy = new List<string>();
        foreach (var resource in model.Resources)
        {
            if (!App.ResourceNotifications.TryGetCurrentState(resource.Name, out var e))
            {
                states.Add($"{resource.Name}=?");
                continue;
            }
            states.Add($"{resource.Name}={e.Snapshot.State?.Text}/{e.Snapshot.HealthStatus}");
            if (resource is ProjectResource or ExecutableResource && e.Snapshot.HealthStatus is { } health && health != Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy)
                unhealthy.Add(resource.Name);
        }
        var text = string.Join(", ", states);
        foreach (var name in unhealthy.Take(2)) text += $"\n--- last log lines of {name}:\n{_logs.Tail(name)}";
        return text;
    }

    /// <summary>Where the llm-gateway's default route goes: the loopback OpenAI-compatible model.</summary>
    protected virtual IEnumerable<string> ModelArguments() =>
    [
        "LlmGateway:Backends:local:Kind=OpenAICompatible",
        $"LlmGateway:Backends:local:BaseUrl={new Uri(Model.BaseUrl, "v1/").AbsoluteUri}",
        $"LlmGateway:Backends:local:ApiKey={ModelKey}",
        "LlmGateway:Backends:local:ModelCapabilities:gpt-4o=text,image",
        "LlmGateway:Default:Backend=local",
        "LlmGateway:Default:Model=gpt-4o",
    ];

    public virtual async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync(CancellationToken.None);
            await _app.DisposeAsync();
        }
        await Model.DisposeAsync();
        // epmd -daemon outlives the broker: stop the one this run's broker started on its own port.
        using (var epmd = Process.Start(new ProcessStartInfo("epmd", ["-port", (_amqpPort + 2).ToString(), "-kill"]) { RedirectStandardOutput = true, RedirectStandardError = true })!)
            await epmd.WaitForExitAsync();
        Directory.Delete(_state, recursive: true);
        Directory.Delete(_noWhisperModels, recursive: true);
        Directory.Delete(DashboardInputs, recursive: true);
    }
}

/// <summary>One AppHost start shared by every test class that drives it (each start costs a minute or more here).</summary>
[CollectionDefinition(Name)]
public sealed class AppHostCollection : ICollectionFixture<AppHostFixture>
{
    public const string Name = "AppHost";
}
