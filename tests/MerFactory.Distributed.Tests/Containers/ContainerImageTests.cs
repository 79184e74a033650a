using System.Text.Json.Nodes;
using MerFactory.Testing;

namespace MerFactory.Distributed.Tests.Containers;

/// <summary>
/// The services as container images, built by the .NET SDK's own container support (PublishContainer) to tarballs
/// with no Docker daemon (<see cref="ContainerImagesFixture"/>). mcr.microsoft.com cannot be reached here, so the base
/// image is made from this machine's .NET runtime and ffmpeg and served by Debian's registry on loopback; the SDK pulls
/// it as it would pull Microsoft's. An image that could not run proves nothing, so the images are started.
/// </summary>
[Collection(ContainerImagesCollection.Name)]
public sealed class ContainerImageTests(ContainerImagesFixture images)
{
    [Fact]
    public async Task Every_service_is_an_image_on_the_shared_base_with_a_native_layer_only_where_its_libraries_need_one()
    {
        var plainBase = BaseLayout.Layers(images.BaseLayout, images.BaseImages["jobs"].Split(':')[^1]);
        Assert.Single(plainBase);
        foreach (var service in ContainerImagesFixture.Services)
        {
            var image = images.Image(service);
            var config = image.Config["config"]!;
            var project = Path.GetFileNameWithoutExtension(Directory.GetFiles(Path.Combine(SharedData.RepoRoot, "services", service), "*.csproj").Single());
            Assert.Equal(["dotnet", $"/app/{project}.dll"], config["Entrypoint"]!.AsArray().Select(a => a!.GetValue<string>()));
            Assert.Equal("1654", config["User"]!.GetValue<string>());
            Assert.Equal(images.BaseImages[service], config["Labels"]!["org.opencontainers.image.base.name"]!.GetValue<string>());
            // The base image's layers, then the app: every image starts with the same base layer (stored and pulled once).
            var baseLayers = BaseLayout.Layers(images.BaseLayout, images.BaseImages[service].Split(':')[^1]);
            Assert.Equal(baseLayers, image.LayerDigests.Take(baseLayers.Count));
            Assert.Equal(baseLayers.Count + 1, image.LayerDigests.Count);
            Assert.Equal(plainBase[0], image.LayerDigests[0]);
        }
        // OpenCV's libOpenCvSharpExtern.so links GTK; only au-service carries it. The offline speech model is transcribe's.
        Assert.Contains("libgtk-3.so.0", (await BaseLayout.FilesAsync(images.BaseLayout, NativeLayer("au-service"))).Select(Path.GetFileName));
        Assert.Contains("./usr/share/pocketsphinx/model/en-us/en-us/mdef", await BaseLayout.FilesAsync(images.BaseLayout, NativeLayer("transcribe")));
        foreach (var service in new[] { "jobs", "llm-gateway", "media-extract", "export" })
            Assert.Equal(plainBase.Count + 1, images.Image(service).LayerDigests.Count);
    }

    [Fact]
    public async Task An_image_carries_only_its_own_platforms_native_assets()
    {
        // The portable build has OpenCV, ONNX Runtime, Whisper and llama.cpp for every platform; the image runs linux-x64.
        foreach (var service in new[] { "au-service", "transcribe", "hf-server" })
        {
            var runtimes = Path.Combine(await images.AppLayerAsync(service), "app", "runtimes");
            Assert.Equal(["linux-x64"], Directory.GetDirectories(runtimes).Select(Path.GetFileName));
        }
    }

    private string NativeLayer(string service)
    {
        var image = images.Image(service);
        Assert.Equal(3, image.LayerDigests.Count);
        return image.LayerDigests[1];
    }

    [Fact]
    public async Task The_llm_gateway_image_answers_alive_on_every_address_of_its_network()
    {
        var port = FreePorts.Block(2);
        await using var container = await images.StartAsync("llm-gateway", new Dictionary<string, string>
        {
            ["MERFACTORY_GRPC_PORT"] = port.ToString(), ["MERFACTORY_HTTP_PORT"] = (port + 1).ToString(), ["Auth__Tokens__services"] = DistributedFixture.ServiceToken,
        });
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port + 1}") };
        await ContainerProbe.WaitForSuccessAsync(container, http, "/alive", TimeSpan.FromMinutes(1));
        // In a container the service must not listen on loopback only: its peers and the port mapping come from outside.
        await ContainerProbe.WaitForOutputAsync(container, $"Now listening on: http://[::]:{port}", $"Now listening on: http://0.0.0.0:{port}");
        Assert.DoesNotContain($"http://localhost:{port}", container.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_media_extract_image_runs_its_ffmpeg()
    {
        await using var container = await images.StartAsync("media-extract", new Dictionary<string, string>(), command: ["ffmpeg", "-version"]);
        await container.Process.WaitForExitAsync();
        Assert.True(container.Process.ExitCode == 0 && container.Output.Contains("ffmpeg version", StringComparison.Ordinal), container.Output);
    }

    [Fact]
    public async Task The_dashboard_image_answers_health_and_serves_its_page_from_the_image()
    {
        var port = FreePorts.Block(1);
        await using var container = await images.StartAsync("dashboard", new Dictionary<string, string>
        {
            ["MERFACTORY_HTTP_PORT"] = port.ToString(), ["Dashboard__OutputDir"] = "/tmp/dataset",
        });
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await ContainerProbe.WaitForSuccessAsync(container, http, "/health", TimeSpan.FromMinutes(1));
        // The page is embedded in MerFactory.Dashboard.dll: what the image serves must be the repository's files.
        var wwwroot = Path.Combine(SharedData.RepoRoot, "libs", "MerFactory.Dashboard", "wwwroot");
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(wwwroot, "index.html")), await http.GetByteArrayAsync("/"));
        foreach (var asset in Directory.GetFiles(wwwroot).Select(Path.GetFileName))
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(wwwroot, asset!)), await http.GetByteArrayAsync("/" + asset));
    }
}

/// <summary>The base images' OCI layout (base-image.sh, native-layer.sh): an image's layers by tag, a layer's files.</summary>
internal static class BaseLayout
{
    public static IReadOnlyList<string> Layers(string layout, string tag)
    {
        var index = JsonNode.Parse(File.ReadAllText(Path.Combine(layout, "index.json")))!;
        var entry = index["manifests"]!.AsArray().Single(m => m!["annotations"]!["org.opencontainers.image.ref.name"]!.GetValue<string>() == tag)!;
        var manifest = JsonNode.Parse(File.ReadAllText(Blob(layout, entry["digest"]!.GetValue<string>())))!;
        return [.. manifest["layers"]!.AsArray().Select(l => l!["digest"]!.GetValue<string>())];
    }

    public static async Task<IReadOnlyList<string>> FilesAsync(string layout, string layer)
    {
        var (exit, output) = await ContainerImagesFixture.RunAsync(new System.Diagnostics.ProcessStartInfo("tar", ["-tzf", Blob(layout, layer)]));
        Assert.True(exit == 0, output);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private static string Blob(string layout, string digest) => Path.Combine(layout, "blobs", "sha256", digest["sha256:".Length..]);
}

/// <summary>Waiting for a service in an image to answer.</summary>
internal static class ContainerProbe
{
    /// <summary>Polls <paramref name="path"/> until it answers 2xx; fails with the container's output if it exits or time runs out.</summary>
    public static async Task WaitForSuccessAsync(RunningContainer container, HttpClient http, string path, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            try
            {
                using var response = await http.GetAsync(path);
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
            }
            if (container.Process.HasExited || DateTime.UtcNow > deadline)
                Assert.Fail($"the image did not answer {path} with success (exited: {container.Process.HasExited}):\n{container.Output}");
            await Task.Delay(250); // the service's start-up, polled
        }
    }

    /// <summary>Waits until the container has written one of <paramref name="texts"/> (its output is read as it comes).</summary>
    public static async Task WaitForOutputAsync(RunningContainer container, params string[] texts)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!texts.Any(t => container.Output.Contains(t, StringComparison.Ordinal)))
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"the image never wrote '{texts[0]}':\n{container.Output}");
            await Task.Delay(100); // output arrives asynchronously, polled
        }
    }
}
