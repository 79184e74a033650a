using System.Security.Cryptography;
using System.Text;
using MerFactory.Storage;

namespace MerFactory.Storage.Tests;

/// <summary>
/// A dataset in a store as the dashboard and export read it: objects stored under its prefix plus the files its
/// reference manifests name (a job's outputs are its step artifacts, kept once).
/// </summary>
public sealed class StoredDatasetTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mf-stored-dataset-").FullName;
    private readonly FileSystemObjectStore _store;

    public StoredDatasetTests() => _store = new FileSystemObjectStore(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private async Task<ReferencedFile> PutAsync(string key, string path, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        await _store.PutAsync(key, new MemoryStream(bytes));
        return new ReferencedFile(path, key, bytes.Length, Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }

    private async Task<string> ReadAsync(StoredDataset dataset, string id, string name)
    {
        await using var stream = (await dataset.TryOpenAsync(id, name))!;
        return await new StreamReader(stream).ReadToEndAsync();
    }

    [Fact]
    public async Task StoredAndReferencedFilesFormOneDatasetAndALaterManifestWins()
    {
        const string prefix = "datasets/alice/run/";
        await PutAsync($"{prefix}old/old_merr_data.json", "", "stored by an earlier version");
        await PutAsync($"{prefix}clip/clip_merr_data.json", "", "a stored record");
        var wav = await PutAsync("artifacts/extract-audio/k1/audio.wav", "clip/clip.wav", "wav bytes");
        var first = await PutAsync("jobs/alice/j1/output/clip/clip_merr_data.json", "clip/clip_merr_data.json", "job 1's record");
        await DatasetReferences.PutAsync(_store, prefix, "j1", [wav, first], CancellationToken.None);
        var dataset = new StoredDataset(_store, prefix);

        Assert.Equal(["clip", "old"], await dataset.ListRecordIdsAsync().ToListAsync());
        Assert.Equal(["clip/clip.wav", "clip/clip_merr_data.json"], (await dataset.ListFilesAsync("clip")).Select(f => f.Path));
        Assert.Equal("wav bytes", await ReadAsync(dataset, "clip", "clip.wav"));
        Assert.Equal("job 1's record", await ReadAsync(dataset, "clip", "clip_merr_data.json")); // the reference over the stored copy
        Assert.Equal("artifacts/extract-audio/k1/audio.wav", await dataset.KeyOfAsync("clip", "clip.wav"));
        Assert.Null(await dataset.TryOpenAsync("clip", "missing.json"));

        // A later run of the same record adds its own manifest; the long-lived reader sees it (manifests are ordered by
        // time written, then by name, so one written in the same clock tick still comes after).
        var second = await PutAsync("jobs/alice/j2/output/clip/clip_merr_data.json", "clip/clip_merr_data.json", "job 2's record");
        await DatasetReferences.PutAsync(_store, prefix, "j2", [second], CancellationToken.None);
        Assert.Equal("job 2's record", await ReadAsync(dataset, "clip", "clip_merr_data.json"));
        Assert.Equal("wav bytes", await ReadAsync(dataset, "clip", "clip.wav"));
    }

    [Theory]
    [InlineData("""[{"path":"../escape","key":"artifacts/a","size":1,"sha256":"0000000000000000000000000000000000000000000000000000000000000000"}]""")]
    [InlineData("""[{"path":"clip/a.wav","key":"/etc/passwd","size":1,"sha256":"0000000000000000000000000000000000000000000000000000000000000000"}]""")]
    [InlineData("""[{"path":"clip/a.wav","key":"artifacts/a","size":1,"sha256":"not-a-hash"}]""")]
    [InlineData("""{"not":"a list"}""")]
    public async Task AManifestNamingABadPathKeyOrHashIsAnErrorNotAPartialDataset(string manifest)
    {
        await _store.PutAsync(DatasetReferences.ManifestKey("jobs/alice/j/output/", "job"), new MemoryStream(Encoding.UTF8.GetBytes(manifest)));
        var dataset = new StoredDataset(_store, "jobs/alice/j/output/");
        await Assert.ThrowsAsync<InvalidDataException>(() => dataset.ReferencesAsync());
    }
}
