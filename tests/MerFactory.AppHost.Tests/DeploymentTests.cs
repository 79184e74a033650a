using System.Diagnostics;
using System.Text.Json.Nodes;
using MerFactory.Testing;
using YamlDotNet.RepresentationModel;

namespace MerFactory.AppHost.Tests;

/// <summary>
/// What a deployment is made from, generated offline: the AppHost's publish manifest (against a golden file, and
/// checked for what makes it deployable) and azure.yaml. No container runtime or cloud account is involved.
/// </summary>
public sealed class DeploymentTests
{
    private static readonly string[] Services = ["media-extract", "au-service", "transcribe", "hf-server", "llm-gateway", "jobs", "export"];
    private static readonly string GoldenPath = Path.Combine(SharedData.RepoRoot, "tests", "MerFactory.AppHost.Tests", "golden", "aspire-manifest.json");

    [Fact]
    public async Task ThePublishManifestMatchesTheGoldenFileAndIsDeployable()
    {
        var manifestText = await PublishManifestAsync();
        if (Environment.GetEnvironmentVariable("MERFACTORY_UPDATE_GOLDEN") == "1") await File.WriteAllTextAsync(GoldenPath, manifestText);
        Assert.Equal((await File.ReadAllTextAsync(GoldenPath)).ReplaceLineEndings(), manifestText.ReplaceLineEndings());

        var resources = JsonNode.Parse(manifestText)!["resources"]!.AsObject();
        foreach (var service in Services)
        {
            var resource = resources[service] ?? throw new Xunit.Sdk.XunitException($"{service} is not in the manifest");
            Assert.Equal("project.v0", resource["type"]!.GetValue<string>());
            // gRPC needs HTTP/2 end to end, on a port the container listens on.
            Assert.Equal("http2", resource["bindings"]!["grpc"]!["transport"]!.GetValue<string>());
            Assert.Equal(8080, resource["bindings"]!["grpc"]!["targetPort"]!.GetValue<int>());
            Assert.Equal(8081, resource["bindings"]!["http"]!["targetPort"]!.GetValue<int>());
            var env = resource["env"]!.AsObject();
            Assert.Equal("{service-token.value}", env["Auth__Tokens__services"]!.GetValue<string>());
            Assert.Equal("{minio-password.value}", env["ObjectStore__S3__SecretKey"]!.GetValue<string>());
        }
        Assert.Equal("{api-token.value}", resources["jobs"]!["env"]!["Auth__Tokens__default"]!.GetValue<string>());
        Assert.Contains("{jobsdb.connectionString}", resources["jobs"]!["env"]!["ConnectionStrings__jobsdb"]!.GetValue<string>());
        // A deployed dashboard is reached through its port mapping, not loopback: its token gates every request.
        Assert.Equal("{dashboard-token.value}", resources["dashboard"]!["env"]!["Dashboard__Token"]!.GetValue<string>());

        // Nothing host-specific: containers, no executables of this machine.
        Assert.DoesNotContain(resources, r => r.Value!["type"]!.GetValue<string>() == "executable.v0");
        foreach (var (name, resource) in resources.Where(r => r.Value!["type"]!.GetValue<string>() == "container.v0"))
        {
            var image = resource!["image"]!.GetValue<string>();
            var tag = image[(image.LastIndexOf(':') + 1)..];
            Assert.True(image.Contains(':') && tag != "latest", $"{name}: image '{image}' is not pinned");
        }
        foreach (var stateful in new[] { "messaging", "minio", "postgres" })
            Assert.NotEmpty(resources[stateful]!["volumes"]!.AsArray());

        // Secrets only as parameters: each is a secret input, and no environment value holds a literal one.
        foreach (var secret in new[] { "minio-password", "postgres-password", "messaging-password", "service-token", "api-token", "dashboard-token" })
            Assert.True(resources[secret]!["inputs"]!["value"]!["secret"]!.GetValue<bool>(), $"{secret} is not a secret parameter");
        Assert.Equal("{minio-password.value}", resources["minio"]!["env"]!["MINIO_ROOT_PASSWORD"]!.GetValue<string>());
        foreach (var (name, resource) in resources)
        {
            foreach (var (variable, value) in resource!["env"]?.AsObject() ?? [])
            {
                if (variable.Contains("PASSWORD", StringComparison.OrdinalIgnoreCase) || variable.Contains("SecretKey", StringComparison.Ordinal)
                    || variable.Contains("Token", StringComparison.Ordinal) || variable.EndsWith("API_KEY", StringComparison.Ordinal))
                    Assert.Matches(@"^\{[a-z0-9-]+\.value\}$", value!.GetValue<string>());
            }
        }
    }

    [Fact]
    public async Task AzureYamlDeploysTheAppHostProject()
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(SharedData.RepoRoot, "azure.yaml"))) yaml.Load(reader);
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        Assert.Equal("merfactory", root["name"].ToString());
        var app = (YamlMappingNode)((YamlMappingNode)root["services"])["app"];
        Assert.Equal("dotnet", app["language"].ToString());
        Assert.Equal("containerapp", app["host"].ToString());
        var project = Path.GetFullPath(Path.Combine(SharedData.RepoRoot, app["project"].ToString()));
        Assert.Equal(Path.Combine(SharedData.RepoRoot, "MerFactory.AppHost", "MerFactory.AppHost.csproj"), project);
        Assert.Contains("Aspire.AppHost.Sdk", await File.ReadAllTextAsync(project));
    }

    /// <summary>Runs the built AppHost as `--publisher manifest` does (Production: no developer's user secrets leak in).</summary>
    private static async Task<string> PublishManifestAsync()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var appHost = Path.Combine(SharedData.RepoRoot, "MerFactory.AppHost", "bin", configuration, "net10.0", "MerFactory.AppHost.dll");
        // A fixed place under the repository: the manifest's paths are relative to it, the same on every machine.
        var output = Path.Combine(SharedData.RepoRoot, "MerFactory.AppHost", "bin", "manifest-test", Guid.NewGuid().ToString("N"), "aspire-manifest.json");
        var psi = new ProcessStartInfo("dotnet", [appHost, "--publisher", "manifest", "--output-path", output])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(appHost)!,
        };
        psi.Environment["DOTNET_ENVIRONMENT"] = "Production";
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        using var process = Process.Start(psi)!;
        var log = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        Assert.True(process.ExitCode == 0, await log + await errors);
        try
        {
            return await File.ReadAllTextAsync(output);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(Path.GetDirectoryName(output))!, recursive: true);
        }
    }
}
