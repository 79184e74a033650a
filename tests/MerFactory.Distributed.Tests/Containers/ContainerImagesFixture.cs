using System.Diagnostics;
using MerFactory.Storage;
using MerFactory.Testing;

namespace MerFactory.Distributed.Tests.Containers;

[CollectionDefinition(Name)]
public sealed class ContainerImagesCollection : ICollectionFixture<ContainerImagesFixture>
{
    public const string Name = "container images";
}

/// <summary>
/// Every service's image, built once for all the container tests by tools/containers/build-images.sh, the script a
/// deployer runs: the shared base from this machine's .NET runtime and ffmpeg, a native layer where a service's own
/// libraries need more, and the .NET SDK's PublishContainer writing each image to a tarball with no Docker daemon.
/// Running an image unpacks each layer once (the base is shared) and starts it on an overlay of them.
/// </summary>
public sealed class ContainerImagesFixture : IAsyncLifetime
{
    /// <summary>The services/ folders, each built to merfactory/{folder}.</summary>
    public static readonly string[] Services = ["jobs", "llm-gateway", "media-extract", "au-service", "transcribe", "export", "hf-server", "dashboard"];

    private readonly string _work = Directory.CreateTempSubdirectory("mf-containers-").FullName;
    private readonly Dictionary<string, OciArchive> _images = new(StringComparer.Ordinal);
    private int _containers;

    public string ImagesFolder => Path.Combine(_work, "images");

    /// <summary>The base image each service was built on, as the SDK pulled it (<c>127.0.0.1:PORT/merfactory/dotnet-base:TAG</c>).</summary>
    public IReadOnlyDictionary<string, string> BaseImages { get; private set; } = new Dictionary<string, string>();

    /// <summary>The object store the running images read their inputs from and write their results to (loopback S3).</summary>
    public LocalS3Server S3 { get; private set; } = null!;

    public string Bucket { get; } = $"ctr-{Guid.NewGuid():N}"[..20];

    public async Task InitializeAsync()
    {
        Assert.True(Environment.UserName == "root", "building the base layer's owners and running an image (unshare, mount) need root, as CI has");
        var started = Stopwatch.StartNew();
        var psi = new ProcessStartInfo("bash", [Path.Combine(SharedData.RepoRoot, "tools", "containers", "build-images.sh"), ImagesFolder, .. Services])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        psi.Environment["CONFIGURATION"] = DistributedFixture.BuildConfiguration;
        psi.Environment["MERFACTORY_REGISTRY_PORT"] = FreePorts.Block(1).ToString();
        psi.Environment["MERFACTORY_IMAGE_TAG"] = "test";
        // The test host's MSBuild settings must not reach the SDK that builds the images.
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList()) psi.Environment.Remove(key);
        var (exit, output) = await RunAsync(psi);
        Assert.True(exit == 0, $"build-images.sh failed ({exit}):\n{output}\n{Logs()}");
        BuildLog = $"{output}(built in {started.Elapsed.TotalSeconds:F0} s)";
        BaseImages = File.ReadAllLines(Path.Combine(ImagesFolder, "bases")).Select(l => l.Split(' ')).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        foreach (var service in Services) _images[service] = OciArchive.Read(Path.Combine(ImagesFolder, service + ".tar"));
        S3 = await LocalS3Server.StartAsync();
    }

    /// <summary>The script's own report (which image on which base) and its time.</summary>
    public string BuildLog { get; private set; } = "";

    public OciArchive Image(string service) => _images[service];

    /// <summary>The OCI layout base-image.sh and native-layer.sh wrote (every base image, by tag).</summary>
    public string BaseLayout => Path.Combine(ImagesFolder, "base");

    public S3ObjectStore CreateStore() => new(new S3StoreOptions { Endpoint = S3.Endpoint, Bucket = Bucket });

    /// <summary>The store settings of a service in an image: this fixture's S3 server and bucket (the image shares the host's loopback).</summary>
    public Dictionary<string, string> StoreSettings() => new()
    {
        ["ObjectStore__Provider"] = "S3", ["ObjectStore__S3__Endpoint"] = S3.Endpoint, ["ObjectStore__S3__Bucket"] = Bucket,
    };

    /// <summary>
    /// Starts <paramref name="service"/>'s image (its entrypoint, or <paramref name="command"/>); <paramref name="prepare"/>
    /// gets the container's upper folder first, which the image sees as its root (e.g. models copied to <c>upper/models</c>).
    /// </summary>
    public async Task<RunningContainer> StartAsync(string service, IReadOnlyDictionary<string, string> environment, Func<string, Task>? prepare = null, params string[] command)
    {
        var image = _images[service];
        var layers = await image.UnpackLayersAsync(Path.Combine(_work, "layers"));
        var container = Path.Combine(_work, "containers", $"{service}-{Interlocked.Increment(ref _containers)}");
        Directory.CreateDirectory(Path.Combine(container, "upper"));
        if (prepare is not null) await prepare(Path.Combine(container, "upper"));
        return image.Start(layers, container, environment, command);
    }

    /// <summary>The folder of the image's top layer (the app, as the SDK laid it out under /app).</summary>
    public async Task<string> AppLayerAsync(string service) => (await _images[service].UnpackLayersAsync(Path.Combine(_work, "layers")))[0];

    private string Logs() => Directory.Exists(ImagesFolder)
        ? string.Join('\n', Directory.GetFiles(ImagesFolder, "*.log").Select(f => $"--- {Path.GetFileName(f)}\n{File.ReadAllText(f)}"))
        : "";

    internal static async Task<(int Exit, string Output)> RunAsync(ProcessStartInfo psi)
    {
        psi.RedirectStandardOutput = psi.RedirectStandardError = true;
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }

    public async Task DisposeAsync()
    {
        if (S3 is not null) await S3.DisposeAsync();
        // A bind mount of /dev must never be followed by a recursive delete: it lives only in a run's namespace.
        if (!OciArchive.HasMountsUnder(_work)) Directory.Delete(_work, recursive: true);
    }
}
