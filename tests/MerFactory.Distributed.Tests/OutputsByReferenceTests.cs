using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Grpc.Core;
using MerFactory.Llm.Tests.Fakes;
using MerFactory.Protos.Export;
using MerFactory.Storage;
using MerFactory.Testing;

namespace MerFactory.Distributed.Tests;

/// <summary>
/// Issue 14, "outputs stored once": a remote job's outputs are references to its step artifacts. The store holds no
/// copy of an artifact under the job's folder, the client still gets the whole tree (each file verified against the
/// sha256 the server named), and the export service reads the job's dataset through its reference manifest.
/// </summary>
public sealed partial class OutputsByReferenceTests(DistributedFixture fixture) : IClassFixture<DistributedFixture>, IAsyncLifetime, IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mf-by-reference-").FullName;
    private readonly FakeOpenAi _model = new() { ApiKey = null, Answer = InstructionFollowingModel.Create() };

    public async Task InitializeAsync() => await _model.StartAsync();

    public async Task DisposeAsync() => await _model.DisposeAsync();

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task ARemoteMerJobStoresNoCopyOfAnArtifactAndItsTreeAndExportComeFromTheArtifacts()
    {
        var input = Directory.CreateDirectory(Path.Combine(_work, "in")).FullName;
        var output = Path.Combine(_work, "out");
        File.Copy(SharedData.DataPath("media", "pyfeat", "single_face.mp4"), Path.Combine(input, "clip.mp4"));
        using var services = PipelineServices.Start(fixture, _model);
        using var jobs = fixture.StartService("jobs", "MerFactory.JobApi.dll", DistributedFixture.UserCredentials(), out var port, out var log);
        using var export = fixture.StartService("export", "MerFactory.ExportService.dll", DistributedFixture.UserCredentials(), out var exportPort, out var exportLog);
        var server = $"http://127.0.0.1:{port}";
        await RemoteCliTests.WaitUntilServingAsync(server);

        var (exit, text) = await RemoteCliTests.RunCliAsync("process", input, output, "--type", "MER", "--server", server, "--token", DistributedFixture.AliceToken,
            "--chatgpt-model", "gpt-4o");
        Assert.True(exit == 0, text + "\n" + services.Logs() + "\n" + log);
        var jobId = SubmittedJob().Match(text).Groups[1].Value;

        using var store = fixture.CreateStore();
        // Artifacts by their content's sha256.
        var artifacts = (await Sha256sAsync(store, "artifacts/")).GroupBy(a => a.Value).ToDictionary(g => g.Key, g => g.First().Key, StringComparer.Ordinal);
        var jobFiles = await Sha256sAsync(store, $"jobs/alice/{jobId}/");
        Assert.NotEmpty(jobFiles);
        // Byte for byte: nothing stored under the job's folder is a copy of a step artifact.
        Assert.All(jobFiles, f => Assert.False(artifacts.ContainsKey(f.Value), $"{f.Key} is a copy of {artifacts.GetValueOrDefault(f.Value)}"));

        // The client's tree is whole, and its artifact files are the artifacts' own bytes.
        var local = Directory.EnumerateFiles(output, "*", SearchOption.AllDirectories)
            .Where(f => !Path.GetRelativePath(output, f).StartsWith('.'))
            .ToDictionary(f => Path.GetRelativePath(output, f).Replace('\\', '/'), f => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(f))));
        foreach (var artifact in new[] { "clip/clip.wav", "clip/clip.csv", "clip/clip_au_analysis.json" })
            Assert.True(local.TryGetValue(artifact, out var sha) && artifacts.ContainsKey(sha), $"{artifact} is not an artifact's bytes: {string.Join(", ", local.Keys)}");
        Assert.True(File.Exists(Path.Combine(output, "clip", "clip_merr_data.json")));
        // What the job stored is only what exists as job output: the files of the tree that are no artifact, plus its manifest.
        var jobOnly = local.Where(l => !artifacts.ContainsKey(l.Value)).Select(l => l.Key).Order(StringComparer.Ordinal).ToList();
        var stored = jobFiles.Keys.Select(k => k[$"jobs/alice/{jobId}/output/".Length..]).Where(k => !k.StartsWith(DatasetReferences.Folder, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).ToList();
        Assert.Equal(jobOnly, stored);
        Assert.Equal(local.Keys.Order(StringComparer.Ordinal), (await new StoredDataset(store, $"jobs/alice/{jobId}/output/").ReferencesAsync()).Keys.Order(StringComparer.Ordinal));

        // The export service reads the job's records (and their artifacts) through the manifest.
        using var channel = DistributedFixture.Channel(exportPort, DistributedFixture.AliceToken);
        var reply = await new DatasetExport.DatasetExportClient(channel).ExportAsync(new ExportRequest { DatasetPrefix = $"jobs/alice/{jobId}/output/", FileType = "mer" },
            new CallOptions(deadline: DateTime.UtcNow.AddMinutes(2)).WithWaitForReady());
        Assert.True(reply.RecordsExported == 1, reply + "\n" + exportLog);
    }

    /// <summary>The sha256 of every object under <paramref name="prefix"/> (as the store recorded it on PUT), by key; steps' own manifests left out.</summary>
    private static async Task<Dictionary<string, string>> Sha256sAsync(IObjectStore store, string prefix)
    {
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var info in store.ListAsync(prefix))
        {
            if (info.Key.StartsWith("artifacts/", StringComparison.Ordinal) && info.Key.EndsWith("/manifest.json", StringComparison.Ordinal)) continue;
            var stat = await store.StatAsync(info.Key);
            Assert.False(string.IsNullOrEmpty(stat?.Sha256), info.Key);
            found[info.Key] = stat!.Sha256!;
        }
        return found;
    }

    [GeneratedRegex(@"Submitted job ([0-9a-f-]{36})")]
    private static partial Regex SubmittedJob();
}
