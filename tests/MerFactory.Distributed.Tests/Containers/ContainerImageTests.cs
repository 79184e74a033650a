using System.Diagnostics;
using MerFactory.Testing;

namespace MerFactory.Distributed.Tests.Containers;

/// <summary>
/// The services as container images, built by the .NET SDK's own container support (PublishContainer) to tarballs
/// with no Docker daemon. mcr.microsoft.com cannot be reached here, so the base image is made from this machine's
/// .NET runtime and ffmpeg (tools/containers/base-image.sh) and served by Debian's registry on loopback; the SDK pulls it
/// as it would pull Microsoft's. An image that could not run proves nothing, so two of them are started.
/// </summary>
public sealed class ContainerImageTests
{
    private static readonly (string Folder, string Project, string Dll)[] Services =
    [
        ("jobs", "MerFactory.JobApi", "MerFactory.JobApi.dll"),
        ("llm-gateway", "MerFactory.LlmGateway", "MerFactory.LlmGateway.dll"),
        ("media-extract", "MerFactory.MediaExtract", "MerFactory.MediaExtract.dll"),
        ("au-service", "MerFactory.AuService", "MerFactory.AuService.dll"),
        ("transcribe", "MerFactory.Transcribe", "MerFactory.Transcribe.dll"),
        ("export", "MerFactory.ExportService", "MerFactory.ExportService.dll"),
    ];

    [Fact]
    public async Task The_services_build_to_image_tarballs_without_a_daemon_and_the_images_run()
    {
        Assert.True(Environment.UserName == "root", "building the base layer's owners and running an image (unshare, mount) need root, as CI has");
        var work = Directory.CreateTempSubdirectory("mf-containers-").FullName;
        try
        {
            var (exit, tag) = await LocalRegistry.Run("bash", Path.Combine(SharedData.RepoRoot, "tools", "containers", "base-image.sh"), Path.Combine(work, "base"));
            Assert.True(exit == 0, tag);
            tag = tag.Trim().Split('\n')[^1];
            await using var registry = await LocalRegistry.StartAsync();
            var baseImage = await registry.PushAsync(Path.Combine(work, "base"), tag, "merfactory/dotnet-base");
            var baseLayer = BaseLayerDigest(Path.Combine(work, "base"));

            var images = new Dictionary<string, OciArchive>(StringComparer.Ordinal);
            foreach (var (folder, project, dll) in Services)
            {
                var tarball = Path.Combine(work, "images", folder + ".tar.gz");
                var (published, log) = await PublishContainerAsync(folder, project, baseImage, registry.Address, tarball);
                Assert.True(published == 0, $"{folder}: {log}");
                var image = OciArchive.Read(tarball);
                Assert.Equal(["dotnet", "/app/" + dll], image.Config["config"]!["Entrypoint"]!.AsArray().Select(a => a!.GetValue<string>()));
                Assert.Equal("1654", image.Config["config"]!["User"]!.GetValue<string>());
                Assert.Equal(2, image.LayerDigests.Count);
                Assert.Equal(baseLayer, image.LayerDigests[0]);
                Assert.Equal(baseImage, image.Config["config"]!["Labels"]!["org.opencontainers.image.base.name"]!.GetValue<string>());
                images[folder] = image;
            }

            var port = FreePorts.Block(2);
            await RunAsync(images["llm-gateway"], Path.Combine(work, "run-llm-gateway"), async container =>
            {
                using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
                for (var attempt = 0; ; attempt++)
                {
                    try
                    {
                        using var response = await http.GetAsync($"http://127.0.0.1:{port + 1}/alive");
                        if (response.IsSuccessStatusCode) return;
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException && attempt < 240 && !container.Process.HasExited)
                    {
                    }
                    if (container.Process.HasExited || attempt >= 240) Assert.Fail("the llm-gateway image did not answer /alive:\n" + container.Output);
                    await Task.Delay(250); // the service's start-up, polled
                }
            }, new Dictionary<string, string>
            {
                ["MERFACTORY_GRPC_PORT"] = port.ToString(), ["MERFACTORY_HTTP_PORT"] = (port + 1).ToString(), ["Auth__Tokens__services"] = "container-test",
            });
            await RunAsync(images["media-extract"], Path.Combine(work, "run-media-extract"), async container =>
            {
                await container.Process.WaitForExitAsync();
                Assert.True(container.Process.ExitCode == 0 && container.Output.Contains("ffmpeg version", StringComparison.Ordinal), container.Output);
            }, new Dictionary<string, string>(), "ffmpeg", "-version");
        }
        finally
        {
            // A bind mount of /dev must never be followed by a recursive delete: it lives only in the run's namespace.
            if (!OciArchive.HasMountsUnder(work)) Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>The one layer of the base image's OCI layout (index, then manifest).</summary>
    private static string BaseLayerDigest(string layout)
    {
        string Blob(string digest) => File.ReadAllText(Path.Combine(layout, "blobs", "sha256", digest["sha256:".Length..]));
        var index = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(layout, "index.json")))!;
        var manifest = System.Text.Json.Nodes.JsonNode.Parse(Blob(index["manifests"]![0]!["digest"]!.GetValue<string>()))!;
        return Assert.Single(manifest["layers"]!.AsArray())!["digest"]!.GetValue<string>();
    }

    private static async Task RunAsync(OciArchive image, string root, Func<RunningContainer, Task> check, IReadOnlyDictionary<string, string> environment, params string[] command)
    {
        Directory.CreateDirectory(root);
        await image.UnpackAsync(root);
        await using var container = image.Start(root, environment, command);
        await check(container);
    }

    private static async Task<(int Exit, string Log)> PublishContainerAsync(string folder, string project, string baseImage, string registry, string tarball)
    {
        var psi = new ProcessStartInfo("dotnet",
        [
            "publish", Path.Combine(SharedData.RepoRoot, "services", folder, project + ".csproj"), "-c", DistributedFixture.BuildConfiguration, "--no-build",
            "-t:PublishContainer", $"-p:ContainerBaseImage={baseImage}", $"-p:ContainerArchiveOutputPath={tarball}",
            $"-p:ContainerRepository=merfactory/{folder}", "-p:ContainerImageTag=test", "-p:ContainerRuntimeIdentifier=linux-x64",
        ])
        { RedirectStandardOutput = true, RedirectStandardError = true };
        // The SDK pulls over plain HTTP only from registries named here; the test host's MSBuild settings stay out.
        psi.Environment["DOTNET_CONTAINER_INSECURE_REGISTRIES"] = registry;
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList()) psi.Environment.Remove(key);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
