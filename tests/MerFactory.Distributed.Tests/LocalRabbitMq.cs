using System.Diagnostics;
using System.Text;
using MerFactory.Testing;

namespace MerFactory.Distributed.Tests;

/// <summary>
/// A RabbitMQ broker of one test class (Debian's rabbitmq-server, started as scripts/local-services.sh does, on ports of
/// its own), so the class can stop and restart it without disturbing the shared broker other tests use. Its queues and
/// persistent messages live in its own folder and survive a restart.
/// </summary>
public sealed class LocalRabbitMq : IAsyncDisposable
{
    private const string Server = "/usr/lib/rabbitmq/bin/rabbitmq-server";
    private const string Control = "/usr/lib/rabbitmq/bin/rabbitmqctl";
    private readonly string _directory;
    private readonly StringBuilder _log = new();
    private Process? _server;

    private LocalRabbitMq(int port, string directory)
    {
        Port = port;
        _directory = directory;
    }

    /// <summary>AMQP port; the Erlang distribution and epmd ports are the next two.</summary>
    public int Port { get; }

    public string ConnectionString => $"amqp://guest:guest@127.0.0.1:{Port}";

    /// <summary>What the broker printed, for failure messages.</summary>
    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    public static async Task<LocalRabbitMq> StartAsync()
    {
        var directory = Directory.CreateTempSubdirectory("mf-rmq-").FullName;
        var broker = new LocalRabbitMq(FreePorts.Block(3), directory);
        Directory.CreateDirectory(Path.Combine(directory, "home"));
        await File.WriteAllTextAsync(Path.Combine(directory, "empty"), "");
        await File.WriteAllTextAsync(Path.Combine(directory, "enabled_plugins"), "[].");
        await File.WriteAllTextAsync(Path.Combine(directory, "rabbitmq.conf"), $"listeners.tcp.default = 127.0.0.1:{broker.Port}\nloopback_users = none\n");
        await broker.StartServerAsync();
        return broker;
    }

    /// <summary>Starts the broker (again, after <see cref="StopAsync"/>) and returns once it accepts connections.</summary>
    public async Task StartServerAsync()
    {
        if (_server is { HasExited: false }) throw new InvalidOperationException("the broker is running");
        _server?.Dispose();
        _server = Process.Start(Start(Server))!;
        _server.OutputDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _server.ErrorDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();
        // rabbitmqctl wait returns when the node named by the pid file has booted (what scripts/local-services.sh waits on).
        await ControlAsync("wait", "--timeout", "120", Path.Combine(_directory, "rabbit.pid"));
    }

    /// <summary>Stops the broker as an operator would (rabbitmqctl stop) and returns once its process has exited.</summary>
    public async Task StopAsync()
    {
        if (_server is not { HasExited: false }) return;
        await ControlAsync("stop");
        await _server.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            _server?.Kill(entireProcessTree: true);
        }
        _server?.Dispose();
        // epmd -daemon outlives the broker: stop the one this broker started (on its own port).
        using (var epmd = Process.Start(Start("epmd", "-port", (Port + 2).ToString(), "-kill"))!)
            await epmd.WaitForExitAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task ControlAsync(params string[] args)
    {
        using var process = Process.Start(Start(Control, args))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"rabbitmqctl {string.Join(' ', args)} failed ({process.ExitCode}): {await output}{await error}\n--- broker ---\n{Log}");
    }

    private ProcessStartInfo Start(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["HOME"] = Path.Combine(_directory, "home");
        psi.Environment["RABBITMQ_NODENAME"] = $"merfactory-test{Port}@localhost";
        psi.Environment["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1";
        psi.Environment["RABBITMQ_NODE_PORT"] = Port.ToString();
        psi.Environment["RABBITMQ_DIST_PORT"] = (Port + 1).ToString();
        psi.Environment["ERL_EPMD_ADDRESS"] = "127.0.0.1";
        psi.Environment["ERL_EPMD_PORT"] = (Port + 2).ToString();
        psi.Environment["RABBITMQ_MNESIA_BASE"] = Path.Combine(_directory, "mnesia");
        psi.Environment["RABBITMQ_LOG_BASE"] = Path.Combine(_directory, "log");
        psi.Environment["RABBITMQ_CONFIG_FILE"] = Path.Combine(_directory, "rabbitmq.conf");
        psi.Environment["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(_directory, "enabled_plugins");
        psi.Environment["RABBITMQ_PID_FILE"] = Path.Combine(_directory, "rabbit.pid");
        psi.Environment["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(_directory, "empty");
        psi.Environment["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1}";
        return psi;
    }
}
