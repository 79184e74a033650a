using System.Diagnostics;
using MerFactory.Testing;

namespace MerFactory.Distributed.Tests;

/// <summary>
/// Debian's PostgreSQL on a free loopback port, started the way the AppHost starts it (tools/postgres/run.sh), with a
/// data folder of its own: the job service's database in tests.
/// </summary>
public sealed class LocalPostgres : IDisposable
{
    private readonly Process _process;
    private readonly string _folder;

    private LocalPostgres(Process process, string folder, string connectionString)
    {
        (_process, _folder, ConnectionString) = (process, folder, connectionString);
    }

    public string ConnectionString { get; }

    public static LocalPostgres Start()
    {
        var folder = Directory.CreateTempSubdirectory("mf-postgres-").FullName;
        // As root the server runs as the postgres user, which must be able to enter the folder.
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(folder, File.GetUnixFileMode(folder) | UnixFileMode.OtherExecute | UnixFileMode.GroupExecute);
        var port = FreePorts.Block(1);
        var password = Guid.NewGuid().ToString("N");
        var psi = new ProcessStartInfo("bash", [Path.Combine(SharedData.RepoRoot, "tools", "postgres", "run.sh"), Path.Combine(folder, "data"), port.ToString(), "jobsdb"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        psi.Environment["POSTGRES_PASSWORD"] = password;
        var process = Process.Start(psi)!;
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var log = new System.Text.StringBuilder();
        void OnLine(object? _, DataReceivedEventArgs e)
        {
            if (e.Data is null) return;
            lock (log) log.AppendLine(e.Data);
            if (e.Data.Contains("ready to accept connections", StringComparison.Ordinal)) ready.TrySetResult();
        }
        process.OutputDataReceived += OnLine;
        process.ErrorDataReceived += OnLine;
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("postgres exited:\n" + log));
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!ready.Task.Wait(TimeSpan.FromMinutes(2))) throw new TimeoutException("postgres did not start:\n" + log);
        return new LocalPostgres(process, folder, $"Host=127.0.0.1;Port={port};Username=merfactory;Password={password};Database=jobsdb");
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            // SIGINT is PostgreSQL's fast shutdown: it does not wait for clients to disconnect.
            using (var kill = Process.Start("kill", ["-INT", _process.Id.ToString()])) kill.WaitForExit();
            if (!_process.WaitForExit(30_000)) _process.Kill(entireProcessTree: true);
        }
        _process.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
