using System.Diagnostics;
using MerFactory.Testing;

namespace MerFactory.Distributed.Tests.Containers;

/// <summary>
/// Debian's OCI registry (docker-registry, the CNCF distribution server) on a free loopback port with its storage in a
/// temporary folder, and skopeo to push an OCI image layout into it: where the .NET SDK pulls its base image from.
/// </summary>
public sealed class LocalRegistry : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _folder;

    private LocalRegistry(Process process, string folder, string address) => (_process, _folder, Address) = (process, folder, address);

    /// <summary><c>127.0.0.1:PORT</c>, as image names and DOTNET_CONTAINER_INSECURE_REGISTRIES spell it.</summary>
    public string Address { get; }

    public static async Task<LocalRegistry> StartAsync()
    {
        var folder = Directory.CreateTempSubdirectory("mf-registry-").FullName;
        var address = $"127.0.0.1:{FreePorts.Block(1)}";
        var config = Path.Combine(folder, "config.yml");
        await File.WriteAllTextAsync(config, $"version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: {folder}/data\nhttp:\n  addr: {address}\n");
        var process = Process.Start(new ProcessStartInfo("docker-registry", ["serve", config]) { RedirectStandardOutput = true, RedirectStandardError = true })
            ?? throw new InvalidOperationException("docker-registry did not start (scripts/setup.sh installs it)");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var registry = new LocalRegistry(process, folder, address);
        using var http = new HttpClient();
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var response = await http.GetAsync($"http://{address}/v2/");
                if (response.IsSuccessStatusCode) return registry;
            }
            catch (HttpRequestException) when (attempt < 100 && !process.HasExited)
            {
            }
            if (process.HasExited || attempt >= 100) throw new InvalidOperationException("docker-registry did not answer /v2/");
            await Task.Delay(100); // the registry's start-up, polled
        }
    }

    /// <summary>Pushes the OCI layout's <paramref name="tag"/> as <c>{Address}/{repository}:{tag}</c> and returns that name.</summary>
    public async Task<string> PushAsync(string layout, string tag, string repository)
    {
        var image = $"{Address}/{repository}:{tag}";
        var (exit, output) = await Run("skopeo", "copy", "--dest-tls-verify=false", $"oci:{layout}:{tag}", $"docker://{image}");
        if (exit != 0) throw new InvalidOperationException($"skopeo could not push {image}:\n{output}");
        return image;
    }

    internal static async Task<(int Exit, string Output)> Run(string file, params string[] arguments)
    {
        var psi = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
