using System.Security.Cryptography;
using MerFactory.Contracts;
using MerFactory.Jobs.Steps;
using MerFactory.Storage;

namespace MerFactory.Pipeline.Tests;

/// <summary>
/// A step service's local copies of inputs (issue 14's "every step downloads the whole input"): one fetch per input
/// however many steps read it, verified, bounded and evicted least recently used first, never while read, and cleaned.
/// The store is a real one (a folder) seen through a wrapper that counts reads, as a remote store would be reached.
/// </summary>
public sealed class LocalInputCacheTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mf-input-cache-").FullName;
    private readonly ReadCountingStore _store;

    public LocalInputCacheTests() => _store = new ReadCountingStore(new FileSystemObjectStore(Path.Combine(_root, "store")));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private LocalInputCache Cache(long maxBytes) => new(_store, new InputCacheOptions { MaxBytes = maxBytes, Folder = Path.Combine(_root, "cache") });

    private async Task<ObjectReference> PutAsync(string key, byte[] bytes)
    {
        var info = await _store.PutAsync(key, new MemoryStream(bytes));
        return new ObjectReference(_store.Bucket, info.Key, info.Size, Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }

    [Fact]
    public async Task StepsOfOneServiceFetchAnInputOnceAndReadItsBytes()
    {
        var bytes = RandomNumberGenerator.GetBytes(300_000);
        var clip = await PutAsync("uploads/alice/1/clip.mp4", bytes);
        using var cache = Cache(1 << 20);
        var artifacts = new ArtifactStore(_store, cache);

        // Six steps at once and one after them, as media-extract and the AU service take one clip.
        var copies = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => artifacts.GetLocalCopyAsync(clip, ".mp4", CancellationToken.None)));
        using (var later = await artifacts.GetLocalCopyAsync(clip, ".mp4", CancellationToken.None)) Assert.Equal(bytes, await File.ReadAllBytesAsync(later.Path));
        Assert.All(copies, c => Assert.Equal(bytes, File.ReadAllBytes(c.Path)));
        foreach (var copy in copies) copy.Dispose();

        Assert.Equal(1, _store.Reads("uploads/alice/1/clip.mp4"));
        Assert.Equal(1, cache.Downloads);
        Assert.True(File.Exists(copies[0].Path)); // released, still cached for the next step
    }

    [Fact]
    public async Task BytesThatAreNotTheReferencesSha256AreRefusedAndLeaveNoFile()
    {
        var clip = await PutAsync("uploads/alice/2/clip.mp4", RandomNumberGenerator.GetBytes(1000));
        using var cache = Cache(1 << 20);
        var wrong = clip with { Sha256 = Convert.ToHexStringLower(SHA256.HashData([1, 2, 3])) };

        await Assert.ThrowsAsync<InvalidDataException>(() => cache.TryGetAsync(wrong, ".mp4", CancellationToken.None));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_root, "cache"), "*", SearchOption.AllDirectories));
        Assert.Equal(0, cache.Bytes);
    }

    [Fact]
    public async Task TheLeastRecentlyUsedCopyNobodyReadsIsEvictedFirstAndTheCacheStaysWithinItsBound()
    {
        var inputs = new List<ObjectReference>();
        for (var i = 0; i < 4; i++) inputs.Add(await PutAsync($"uploads/alice/e{i}/clip.wav", RandomNumberGenerator.GetBytes(400)));
        using var cache = Cache(1000);

        var held = (await cache.TryGetAsync(inputs[0], ".wav", CancellationToken.None))!; // read by a step throughout
        var released = (await cache.TryGetAsync(inputs[1], ".wav", CancellationToken.None))!;
        released.Dispose();
        using (await cache.TryGetAsync(inputs[2], ".wav", CancellationToken.None)) { }
        using (await cache.TryGetAsync(inputs[3], ".wav", CancellationToken.None)) { }

        Assert.True(cache.Bytes <= 1000, $"{cache.Bytes} bytes held");
        Assert.True(File.Exists(held.Path), "a copy a step still reads was evicted");
        Assert.False(File.Exists(released.Path), "the least recently used free copy was kept");
        held.Dispose();
        using (await cache.TryGetAsync(inputs[1], ".wav", CancellationToken.None)) { }
        Assert.Equal(2, _store.Reads(inputs[1].Key)); // evicted, so fetched again
        Assert.Null(await cache.TryGetAsync(inputs[0] with { Size = 5000 }, ".wav", CancellationToken.None)); // larger than the cache: not cached
    }

    [Fact]
    public async Task CopiesAreRemovedOnDisposeAndThoseOfEndedProcessesOnStart()
    {
        var leftover = Directory.CreateDirectory(Path.Combine(_root, "cache", "merfactory-inputs", int.MaxValue.ToString())).FullName;
        await File.WriteAllTextAsync(Path.Combine(leftover, "old.mp4"), "left by a crashed service");
        var clip = await PutAsync("uploads/alice/3/clip.mp4", RandomNumberGenerator.GetBytes(100));
        string path;
        using (var cache = Cache(1 << 20))
        {
            Assert.False(Directory.Exists(leftover));
            using var copy = (await cache.TryGetAsync(clip, ".mp4", CancellationToken.None))!;
            path = copy.Path;
            Assert.True(File.Exists(path));
        }
        Assert.False(File.Exists(path));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_root, "cache", "merfactory-inputs")));
    }

    /// <summary>A store as a service reaches it (not a local folder it could read in place), counting whole-object reads.</summary>
    private sealed class ReadCountingStore(IObjectStore inner) : IObjectStore
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _reads = new();

        public int Reads(string key) => _reads.GetValueOrDefault(key);

        public string Bucket => inner.Bucket;
        public Task<ObjectInfo> PutAsync(string key, Stream content, string? contentType = null, CancellationToken cancellationToken = default) => inner.PutAsync(key, content, contentType, cancellationToken);

        public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken = default)
        {
            _reads.AddOrUpdate(key, 1, (_, n) => n + 1);
            return inner.OpenReadAsync(key, cancellationToken);
        }

        public Task<ObjectInfo?> StatAsync(string key, CancellationToken cancellationToken = default) => inner.StatAsync(key, cancellationToken);
        public IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken = default) => inner.ListAsync(prefix, cancellationToken);
        public Task DeleteAsync(string key, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, cancellationToken);
        public Task<Uri> GetPresignedReadUrlAsync(string key, TimeSpan validFor, CancellationToken cancellationToken = default) => inner.GetPresignedReadUrlAsync(key, validFor, cancellationToken);
        public Task<bool> TryCreateAsync(string key, ReadOnlyMemory<byte> content, string? contentType = null, CancellationToken cancellationToken = default) => inner.TryCreateAsync(key, content, contentType, cancellationToken);
        public Task<bool> TryUpdateAsync(string key, ReadOnlyMemory<byte> content, string expectedETag, string? contentType = null, CancellationToken cancellationToken = default) =>
            inner.TryUpdateAsync(key, content, expectedETag, contentType, cancellationToken);
    }
}
