using System.Text.Json;
using MerFactory.Testing;

namespace MerFactory.Distributed.Tests;

/// <summary>
/// A service ships only what it hosts (issue 14 point 1): each step service references its own step family and no
/// other, the job API references the orchestration package and no step family, and the orchestration package itself
/// references no step family and no engine. So no computer-vision, ONNX, Whisper or llama runtime lands where it is not
/// used (llm-gateway, media-extract and jobs: under 100 MB each). Measured from the build's deps.json, which lists
/// exactly what a project loads (stale files in bin do not count).
/// </summary>
public sealed class ServiceFootprintTests
{
    private const string OpenCv = "OpenCvSharp4", Onnx = "Microsoft.ML.OnnxRuntime", Whisper = "Whisper.net", Llama = "LLamaSharp";
    private const string AuEngine = "MerFactory.AuEngine", Speech = "MerFactory.Speech", Pipeline = "MerFactory.Pipeline", ModelHost = "MerFactory.ModelHost";
    private static readonly string[] Families = ["MerFactory.Steps.Media", "MerFactory.Steps.Au", "MerFactory.Steps.Speech", "MerFactory.Steps.Llm"];
    private static readonly string[] Engines = [OpenCv, Onnx, Whisper, Llama, AuEngine, Speech, ModelHost];

    public static TheoryData<string, string, string?, bool, string[]> Services => new()
    {
        // folder, assembly, the one step family it hosts (null: none), whether it must stay under 100 MB, what else it must not load
        { "media-extract", "MerFactory.MediaExtract", "MerFactory.Steps.Media", true, [.. Engines, Pipeline] },
        { "llm-gateway", "MerFactory.LlmGateway", "MerFactory.Steps.Llm", true, [.. Engines, Pipeline] },
        { "au-service", "MerFactory.AuService", "MerFactory.Steps.Au", false, [Whisper, Llama, Speech, ModelHost, Pipeline, "MerFactory.Llm"] },
        { "transcribe", "MerFactory.Transcribe", "MerFactory.Steps.Speech", false, [OpenCv, Llama, AuEngine, ModelHost, Pipeline, "MerFactory.Llm"] },
        { "jobs", "MerFactory.JobApi", null, true, Engines },
        { "export", "MerFactory.ExportService", null, true, [.. Engines, Pipeline] },
        // The dashboard's run builder is a job API client (JobClient): the job options it submits and the output folder it
        // fills are the orchestration package's, which carries no step family and no engine.
        { "dashboard", "MerFactory.DashboardService", null, false, [.. Families, OpenCv, Whisper, Llama, AuEngine, Speech] },
        { "hf-server", "MerFactory.HfServer", null, false, [Pipeline, .. Families, OpenCv, AuEngine] },
    };

    [Theory]
    [MemberData(nameof(Services))]
    public void AServiceReferencesOnlyTheStepFamilyItHosts(string folder, string assembly, string? family, bool small, string[] forbidden)
    {
        var bin = Path.Combine(SharedData.RepoRoot, "services", folder, "bin", DistributedFixture.BuildConfiguration, "net10.0");
        using var deps = JsonDocument.Parse(File.ReadAllText(Path.Combine(bin, assembly + ".deps.json")));
        var libraries = Libraries(deps);
        foreach (var other in Families.Where(f => f != family)) Assert.DoesNotContain(libraries, l => Is(l, other));
        if (family is not null) Assert.Contains(libraries, l => Is(l, family));
        foreach (var heavy in forbidden) Assert.DoesNotContain(libraries, l => Is(l, heavy));
        if (!small) return;

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

    [Fact]
    public void TheOrchestrationPackageReferencesNoStepFamilyAndNoEngine()
    {
        var bin = Path.Combine(SharedData.RepoRoot, "libs", Pipeline, "bin", DistributedFixture.BuildConfiguration, "net10.0");
        using var deps = JsonDocument.Parse(File.ReadAllText(Path.Combine(bin, Pipeline + ".deps.json")));
        var libraries = Libraries(deps);
        Assert.Contains(libraries, l => Is(l, "MerFactory.Steps"));
        foreach (var forbidden in Families.Concat(Engines)) Assert.DoesNotContain(libraries, l => Is(l, forbidden));
    }

    [Fact]
    public void NoFileOfTheOrchestrationPackageIsOver250Lines()
    {
        var root = Path.Combine(SharedData.RepoRoot, "libs", Pipeline);
        var sources = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();
        Assert.True(sources.Count > 10);
        Assert.All(sources, f => Assert.True(File.ReadLines(f).Count() <= 250, $"{Path.GetRelativePath(root, f)}: {File.ReadLines(f).Count()} lines"));
    }

    private static List<string> Libraries(JsonDocument deps) => [.. deps.RootElement.GetProperty("libraries").EnumerateObject().Select(l => l.Name)];

    /// <summary>deps.json names libraries "Name/Version"; a package's runtime packages share its prefix ("OpenCvSharp4.runtime...").</summary>
    private static bool Is(string library, string name) =>
        library.StartsWith(name + "/", StringComparison.Ordinal)
        || !name.StartsWith("MerFactory.", StringComparison.Ordinal) && library.StartsWith(name + ".", StringComparison.Ordinal);
}
