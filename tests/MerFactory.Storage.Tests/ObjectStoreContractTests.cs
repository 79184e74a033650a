using System.Security.Cryptography;
using System.Text;
using MerFactory.Storage;
using MerFactory.Testing;

namespace MerFactory.Storage.Tests;

/// <summary>The behaviour every <see cref="IObjectStore"/> must have; run against both implementations.</summary>
public abstract class ObjectStoreContractTests
{
    protected abstract IObjectStore Store { get; }

    private static string Prefix() => $"t{Guid.NewGuid():N}/";

    [Fact]
    public async Task PutThenReadReturnsTheSameBytesAndHash()
    {
        var key = Prefix() + "dir/hello.txt";
        var bytes = Encoding.UTF8.GetBytes("hello object store ✓");
        var info = await Store.PutAsync(key, new MemoryStream(bytes), "text/plain");

        Assert.Equal(bytes.Length, info.Size);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), info.Sha256);
        // What the write reports is what the store holds (the S3 store answers it without a second request).
        var stat = await Store.StatAsync(key);
        Assert.NotNull(stat);
        Assert.Equal((info.Size, info.ETag), (stat.Size, stat.ETag));
        // A store that keeps the hash and type (S3, as metadata) reports the same ones.
        if (stat.Sha256 is not null) Assert.Equal(info.Sha256, stat.Sha256);
        if (stat.ContentType is not null) Assert.Equal(info.ContentType, stat.ContentType);
        await using var read = await Store.OpenReadAsync(key);
        using var copy = new MemoryStream();
        await read.CopyToAsync(copy);
        Assert.Equal(bytes, copy.ToArray());
    }

    [Fact]
    public async Task LargeObjectsStreamThroughIntact()
    {
        var key = Prefix() + "big.bin";
        var bytes = new byte[12 * 1024 * 1024 + 17];
        new Random(42).NextBytes(bytes);
        var info = await Store.PutAsync(key, new NonSeekableStream(bytes));
        Assert.Equal(bytes.Length, info.Size);
        Assert.Equal(info.ETag, (await Store.StatAsync(key))?.ETag);
        await using var read = await Store.OpenReadAsync(key);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), Convert.ToHexStringLower(await SHA256.HashDataAsync(read)));
    }

    [Theory]
    [InlineData("../")]
    [InlineData("../etc/")]
    [InlineData("jobs/../")]
    [InlineData("/etc/")]
    [InlineData("jobs//")]
    [InlineData("./jobs/")]
    [InlineData("jobs\\..\\")]
    public async Task AListPrefixThatClimbsOutOrIsMalformedIsRefused(string prefix)
    {
        await Assert.ThrowsAsync<ArgumentException>(async () =>
        {
            await foreach (var _ in Store.ListAsync(prefix)) { }
        });
    }

    [Fact]
    public async Task AListPrefixMayEndInsideASegment()
    {
        var prefix = Prefix();
        await Store.PutAsync(prefix + "clip01/a.json", new MemoryStream([1]));
        await Store.PutAsync(prefix + "clip02/b.json", new MemoryStream([2]));
        var keys = new List<string>();
        await foreach (var o in Store.ListAsync(prefix + "clip0")) keys.Add(o.Key);
        Assert.Equal([prefix + "clip01/a.json", prefix + "clip02/b.json"], keys);
    }

    [Fact]
    public async Task StatOfMissingObjectIsNullAndReadThrowsNotFound()
    {
        var key = Prefix() + "missing";
        Assert.Null(await Store.StatAsync(key));
        var error = await Assert.ThrowsAsync<ObjectNotFoundException>(() => Store.OpenReadAsync(key));
        Assert.Contains(key, error.Message);
    }

    [Fact]
    public async Task ListReturnsObjectsUnderPrefixInKeyOrder()
    {
        var prefix = Prefix();
        foreach (var name in new[] { "b/2.txt", "a/1.txt", "a/0.txt", "c.txt" })
            await Store.PutAsync(prefix + name, new MemoryStream([1, 2, 3]));
        await Store.PutAsync(Prefix() + "a/other.txt", new MemoryStream([9]));

        var all = await ToListAsync(Store.ListAsync(prefix));
        Assert.Equal(new[] { "a/0.txt", "a/1.txt", "b/2.txt", "c.txt" }.Select(n => prefix + n), all.Select(o => o.Key));
        Assert.All(all, o => Assert.Equal(3, o.Size));
        var underA = await ToListAsync(Store.ListAsync(prefix + "a/"));
        Assert.Equal(2, underA.Count);
    }

    [Fact]
    public async Task DeleteRemovesTheObjectAndIgnoresMissingOnes()
    {
        var key = Prefix() + "gone.txt";
        await Store.PutAsync(key, new MemoryStream([1]));
        await Store.DeleteAsync(key);
        Assert.Null(await Store.StatAsync(key));
        await Store.DeleteAsync(key);
    }

    [Fact]
    public async Task PutReplacesAnExistingObject()
    {
        var key = Prefix() + "replace.txt";
        await Store.PutAsync(key, new MemoryStream([1, 1, 1]));
        await Store.PutAsync(key, new MemoryStream([2]));
        await using var read = await Store.OpenReadAsync(key);
        Assert.Equal(2, read.ReadByte());
        Assert.Equal(-1, read.ReadByte());
    }

    [Fact]
    public async Task TryCreateWritesOnlyWhenAbsent()
    {
        var key = Prefix() + "claim.json";
        Assert.True(await Store.TryCreateAsync(key, "first"u8.ToArray()));
        Assert.False(await Store.TryCreateAsync(key, "second"u8.ToArray()));
        Assert.Equal("first", await ReadTextAsync(key));
    }

    [Fact]
    public async Task ConcurrentTryCreateHasExactlyOneWinner()
    {
        var key = Prefix() + "race.json";
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Store.TryCreateAsync(key, Encoding.UTF8.GetBytes($"writer {i}"))));
        Assert.Equal(1, results.Count(r => r));
        var winner = Array.IndexOf(results, true);
        Assert.Equal($"writer {winner}", await ReadTextAsync(key));
    }

    [Fact]
    public async Task TryUpdateSucceedsOnlyForTheCurrentETag()
    {
        var key = Prefix() + "state.json";
        await Store.PutAsync(key, new MemoryStream("v1"u8.ToArray()));
        var v1 = (await Store.StatAsync(key))!.ETag;

        Assert.True(await Store.TryUpdateAsync(key, "v2"u8.ToArray(), v1));
        Assert.False(await Store.TryUpdateAsync(key, "v3"u8.ToArray(), v1));
        Assert.Equal("v2", await ReadTextAsync(key));
        Assert.False(await Store.TryUpdateAsync(Prefix() + "absent", "x"u8.ToArray(), v1));
    }

    [Fact]
    public async Task PresignedUrlGrantsRead()
    {
        var key = Prefix() + "shared.txt";
        await Store.PutAsync(key, new MemoryStream("presigned"u8.ToArray()));
        var url = await Store.GetPresignedReadUrlAsync(key, TimeSpan.FromMinutes(5));
        string text = url.IsFile
            ? await File.ReadAllTextAsync(url.LocalPath)
            : await new HttpClient().GetStringAsync(url);
        Assert.Equal("presigned", text);
    }

    [Theory]
    [InlineData("/abs")]
    [InlineData("a/../b")]
    [InlineData("a//b")]
    public async Task InvalidKeysAreRejected(string key)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.PutAsync(key, new MemoryStream([1])));
    }

    private async Task<string> ReadTextAsync(string key)
    {
        await using var stream = await Store.OpenReadAsync(key);
        return await new StreamReader(stream).ReadToEndAsync();
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items) list.Add(item);
        return list;
    }

    /// <summary>Streams whose length is unknown, as from a network or a pipe.</summary>
    private sealed class NonSeekableStream(byte[] data) : Stream
    {
        private readonly MemoryStream _inner = new(data);
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 7919));
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

public sealed class FileSystemObjectStoreTests : ObjectStoreContractTests, IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mf-fs-store-").FullName;
    private readonly FileSystemObjectStore _store;

    public FileSystemObjectStoreTests() => _store = new FileSystemObjectStore(_root);

    protected override IObjectStore Store => _store;

    [Fact]
    public async Task AnInterruptedWriteLeavesNoPartialObject()
    {
        var key = "crash/partial.bin";
        await Assert.ThrowsAsync<IOException>(() => _store.PutAsync(key, new FailingStream()));
        Assert.Null(await _store.StatAsync(key));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(_store.GetLocalPath(key))!));
    }

    [Fact]
    public async Task ListCannotTellWhatExistsOutsideTheStore()
    {
        // A file beside the store's folder: '../' must not find it (the old List answered with it, an existence oracle).
        var outside = Path.Combine(_root, "secret-beside-the-bucket.txt");
        await File.WriteAllTextAsync(outside, "not an object");
        var error = await Assert.ThrowsAsync<ArgumentException>(async () =>
        {
            await foreach (var _ in _store.ListAsync("../")) { }
        });
        Assert.Contains("'..'", error.Message);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private sealed class FailingStream : Stream
    {
        private int _reads;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) =>
            _reads++ < 3 ? count : throw new IOException("source died mid-stream");
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

public sealed class S3ServerFixture : IAsyncLifetime
{
    public LocalS3Server Server { get; private set; } = null!;
    public async Task InitializeAsync() => Server = await LocalS3Server.StartAsync();
    public async Task DisposeAsync() => await Server.DisposeAsync();
}

public sealed class S3ObjectStoreTests(S3ServerFixture fixture) : ObjectStoreContractTests, IClassFixture<S3ServerFixture>, IDisposable
{
    private readonly S3ObjectStore _store = new(new S3StoreOptions { Endpoint = fixture.Server.Endpoint, Bucket = "contract-tests" });

    protected override IObjectStore Store => _store;

    public void Dispose() => _store.Dispose();
}
