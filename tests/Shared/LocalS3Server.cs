using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace MerFactory.Testing;

/// <summary>
/// The S3 server tests talk to: the one CI started (MERFACTORY_S3_ENDPOINT), or else a private s3rver
/// started from tools/s3 for this test run (needs `tools/s3/setup.sh` to have run).
/// </summary>
public sealed class LocalS3Server : IAsyncDisposable
{
    private readonly Process? _process;
    private readonly string? _directory;

    private LocalS3Server(string endpoint, Process? process, string? directory)
    {
        Endpoint = endpoint;
        _process = process;
        _directory = directory;
    }

    public string Endpoint { get; }

    /// <summary>s3rver's data folder (objects are files <c>{bucket}/{key}._S3rver_object</c>); null for a configured endpoint.</summary>
    public string? DataDirectory => _directory;

    public static async Task<LocalS3Server> StartAsync()
    {
        var configured = Environment.GetEnvironmentVariable("MERFACTORY_S3_ENDPOINT");
        if (!string.IsNullOrEmpty(configured)) return new LocalS3Server(configured, null, null);

        var script = Path.Combine(SharedData.RepoRoot, "tools", "s3", "server.js");
        if (!Directory.Exists(Path.Combine(SharedData.RepoRoot, "tools", "s3", "node_modules", "s3rver")))
            throw new InvalidOperationException("s3rver is not installed: run tools/s3/setup.sh (or set MERFACTORY_S3_ENDPOINT).");
        var port = FreePort();
        var directory = Directory.CreateTempSubdirectory("mf-s3-").FullName;
        var psi = new ProcessStartInfo("node", [script, "--address", "127.0.0.1", "--port", port.ToString(), "--directory", directory, "--silent"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = Process.Start(psi)!;
        var ready = new TaskCompletionSource();
        process.OutputDataReceived += (_, e) => { if (e.Data?.Contains("listening", StringComparison.Ordinal) == true) ready.TrySetResult(); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await ready.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return new LocalS3Server($"http://127.0.0.1:{port}", process, directory);
    }

    /// <summary>
    /// A free port for a server started next. Not an ephemeral one (port 0): between this check and the server's bind,
    /// any outgoing connection of the busy test machine may take an ephemeral port, and the server then fails to start.
    /// </summary>
    public static int FreePort() => FreePorts.Block(1);

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process?.Dispose();
        if (_directory is not null) Directory.Delete(_directory, recursive: true);
    }
}
