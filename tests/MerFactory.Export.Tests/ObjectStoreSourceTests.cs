using System.Runtime.CompilerServices;
using MerFactory.Export.Sources;
using MerFactory.Storage;

namespace MerFactory.Export.Tests;

public sealed class ObjectStoreSourceTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_dataset_in_the_object_store_exports_like_the_same_folder_on_disk()
    {
        var root = _temp.Combine("OUT");
        MerOutputFixture.WriteMer(root);
        MerOutputFixture.WriteVideo(root);
        MerOutputFixture.WriteRunLeftovers(root);
        var store = new InMemoryObjectStore("datasets");
        foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
            store.Objects["runs/r1/" + Path.GetRelativePath(root, file).Replace('\\', '/')] = File.ReadAllBytes(file);
        store.Objects["runs/r1/manifest.json"] = "{}"u8.ToArray();
        store.Objects["runs/r10/other/other_merr_data.json"] = "{}"u8.ToArray(); // a sibling prefix, not this dataset

        var fromStore = await new ExportRunner().RunAsync(
            new LayoutRecordSource(new ObjectStoreRecordFileProvider(store, "runs/r1")),
            ExportFileType.Mer,
            new ExportOptions { ExportPath = _temp.Combine("store"), ExportFormat = ExportFormat.EmotionLlamaFine, ExportCsv = true });
        var fromFolder = await ExportTestHelpers.ExportFolder(root, ExportFileType.Mer, _temp.Combine("folder"), ExportFormat.EmotionLlamaFine, csv: true);

        Assert.Equal(fromFolder.RecordsExported, fromStore.RecordsExported);
        Assert.Equal(1, fromStore.RecordsExported);
        Assert.Equal(1, fromStore.RecordsExcluded); // the video record folder
        foreach (var file in fromFolder.Files)
            Assert.Equal(File.ReadAllText(file.Path), File.ReadAllText(_temp.Combine("store", Path.GetFileName(file.Path))));
        // Side files (AU CSV frames, transcript) were read through the store too.
        Assert.Equal("sample_00000023 10 angry", File.ReadAllText(_temp.Combine("store", "MERR_fine_grained.txt")));
        Assert.Contains(MerOutputFixture.MerTranscript, File.ReadAllText(_temp.Combine("store", "MERR_fine_grained.json")));
    }

    /// <summary>Just enough of an object store: ordinal listing, reads, stat.</summary>
    private sealed class InMemoryObjectStore(string bucket) : IObjectStore
    {
        public SortedDictionary<string, byte[]> Objects { get; } = new(StringComparer.Ordinal);

        public string Bucket => bucket;

        public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken = default) =>
            Objects.TryGetValue(key, out var bytes) ? Task.FromResult<Stream>(new MemoryStream(bytes, writable: false)) : throw new ObjectNotFoundException(bucket, key);

        public Task<ObjectInfo?> StatAsync(string key, CancellationToken cancellationToken = default) =>
            Task.FromResult(Objects.TryGetValue(key, out var bytes) ? Info(key, bytes) : null);

        public async IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            foreach (var (key, bytes) in Objects.Where(o => o.Key.StartsWith(prefix, StringComparison.Ordinal)))
            {
                await Task.Yield();
                yield return Info(key, bytes)!;
            }
        }

        private static ObjectInfo? Info(string key, byte[] bytes) => new(key, bytes.Length, "etag", DateTimeOffset.UnixEpoch);

        public Task<ObjectInfo> PutAsync(string key, Stream content, string? contentType = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task DeleteAsync(string key, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<Uri> GetPresignedReadUrlAsync(string key, TimeSpan validFor, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<bool> TryCreateAsync(string key, ReadOnlyMemory<byte> content, string? contentType = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<bool> TryUpdateAsync(string key, ReadOnlyMemory<byte> content, string expectedETag, string? contentType = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
