using System.Diagnostics;
using System.Reflection;
using MerFactory.Testing;

namespace MerFactory.Cli.Tests;

/// <summary>The CLI as users install it: packed as a dotnet tool, installed from a local folder, run by its command name.</summary>
public sealed class ToolPackageTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mf-cli-tool-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task TheCliPacksAsADotnetToolThatInstallsOfflineAndRunsAsMerfactory()
    {
        var project = Path.Combine(SharedData.RepoRoot, "cli", "MerFactory.Cli", "MerFactory.Cli.csproj");
        var version = typeof(EmbeddedRun).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];
        var packages = Path.Combine(_work, "nupkgs");

        // The CLI this test project was built against, packed as it is: no second build racing the other tests.
        await RunAsync("dotnet", "pack", project, "--no-build", "-c", BuildConfiguration, "-o", packages, "--nologo");
        Assert.True(File.Exists(Path.Combine(packages, $"MerFactory.Cli.{version}.nupkg")), string.Join(", ", Directory.GetFiles(packages)));

        // Offline: the local folder is the only package source.
        var config = Path.Combine(_work, "nuget.config");
        await File.WriteAllTextAsync(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{packages}" />
              </packageSources>
            </configuration>
            """);
        var tools = Path.Combine(_work, "tools");
        await RunAsync("dotnet", "tool", "install", "MerFactory.Cli", "--tool-path", tools, "--configfile", config, "--version", version);

        var merfactory = Path.Combine(tools, "merfactory");
        var help = await RunAsync(merfactory, "--help");
        Assert.Contains("process", help);
        Assert.Contains("models", help);
        var processHelp = await RunAsync(merfactory, "process", "--help");
        Assert.Contains("--peak_dis", processHelp);
        Assert.Contains("INPUT_PATH", processHelp, StringComparison.OrdinalIgnoreCase);
    }

    private static async Task<string> RunAsync(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetTempPath() };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["NO_COLOR"] = "1";
        // The tool's launcher finds the runtime this test runs on.
        psi.Environment["DOTNET_ROOT"] = DotnetRoot;
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        var output = await stdout + await stderr;
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', args)} exited with {process.ExitCode}:\n{output}");
        return output;
    }

    /// <summary>shared/Microsoft.NETCore.App/{version}/ holds the core library; the dotnet root is three levels up.</summary>
    private static string DotnetRoot => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "..", "..", ".."));

    private static string BuildConfiguration =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
}
