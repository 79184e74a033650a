using System.Text.Json;
using MerFactory.Testing;

namespace MerFactory.Distributed.Tests;

/// <summary>
/// A service ships only what it hosts: llm-gateway and media-extract reference their step family, not the whole
/// pipeline, so no computer-vision, ONNX, Whisper or llama runtime lands in their output (issue 14: under 100 MB each).
/// Measured from the build's deps.json, which lists exactly what the service loads (stale files in bin do not count).
/// </summary>
public sealed class ServiceFootprintTests
{
    private static readonly string[] HeavyPackages = ["OpenCvSharp4", "Microsoft.ML.OnnxRuntime", "Whisper.net", "LLamaSharp", "MerFactory.AuEngine", "MerFactory.Speech", "MerFactory.Pipeline"];

    [Theory]
    [InlineData("llm-gateway", "MerFactory.LlmGateway")]
    [InlineData("media-extract", "MerFactory.MediaExtract")]
    public void AStepServiceShipsOnlyItsStepFamilyAndStaysUnder100MB(string folder, string assembly)
    {
        var bin = Path.Combine(SharedData.RepoRoot, "services", folder, "bin", DistributedFixture.BuildConfiguration, "net10.0");
        using var deps = JsonDocument.Parse(File.ReadAllText(Path.Combine(bin, assembly + ".deps.json")));
        var libraries = deps.RootElement.GetProperty("libraries").EnumerateObject().Select(l => l.Name).ToList();
        Assert.Contains(libraries, l => l.StartsWith("MerFactory.Steps.", StringComparison.Ordinal));
        Assert.DoesNotContain(libraries, l => HeavyPackages.Any(p => l.StartsWith(p + "/", StringComparison.Ordinal) || l.StartsWith(p + ".", StringComparison.Ordinal)));

        // Every file the service loads, where the build copied it: managed and plain native assets flat in bin,
        // per-RID assets under runtimes/.
        var files = new HashSet<string>(StringComparer.Ordinal) { assembly + ".dll" };
        foreach (var target in deps.RootElement.GetProperty("targets").EnumerateObject().SelectMany(t => t.Value.EnumerateObject()))
            foreach (var kind in new[] { "runtime", "native", "runtimeTargets" })
                if (target.Value.TryGetProperty(kind, out var assets))
                    foreach (var asset in assets.EnumerateObject()) files.Add(kind == "runtimeTargets" ? asset.Name : Path.GetFileName(asset.Name));
        Assert.True(files.Count > 20, $"{folder}: only {files.Count} files found from deps.json");
        var bytes = files.Select(f => new FileInfo(Path.Combine(bin, f))).Where(f => f.Exists).Sum(f => f.Length);
        Assert.True(bytes < 100L << 20, $"{folder} loads {bytes / (1 << 20)} MB");
    }
}
