using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using MerFactory.Storage;

namespace MerFactory.Llm.Tests.Fakes;

/// <summary>Minimal <see cref="IObjectStore"/> for tests.</summary>
public sealed class InMemoryObjectStore : IObjectStore
{
    private readonly ConcurrentDictionary<string, (byte[] Data, ObjectInfo Info)> _objects = new(StringComparer.Ordinal);

    public string Bucket => "test";
    public int Count => _objects.Count;
    public IEnumerable<string> Keys => _objects.Keys;

    public async Task<ObjectInfo> PutAsync(string key, Stream content, string? contentType = null, CancellationToken cancellationToken = default)
    {
        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, cancellationToken);
        return Store(key, buffer.ToArray(), contentType);
    }

    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken = default) =>
        _objects.TryGetValue(key, out var o) ? Task.FromResult<Stream>(new MemoryStream(o.Data, writable: false)) : throw new ObjectNotFoundException(Bucket, key);

    public Task<ObjectInfo?> StatAsync(string key, CancellationToken cancellationToken = default) =>
        Task.FromResult(_objects.TryGetValue(key, out var o) ? o.Info : null);

    public async IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        foreach (var key in _objects.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
            yield return _objects[key].Info;
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        _objects.TryRemove(key, out _);
        return Task.CompletedTask;
    }

    public Task<Uri> GetPresignedReadUrlAsync(string key, TimeSpan validFor, CancellationToken cancellationToken = default) =>
        Task.FromResult(new Uri($"memory://{Bucket}/{key}"));

    public Task<bool> TryCreateAsync(string key, ReadOnlyMemory<byte> content, string? contentType = null, CancellationToken cancellationToken = default)
    {
        if (_objects.ContainsKey(key)) return Task.FromResult(false);
        Store(key, content.ToArray(), contentType);
        return Task.FromResult(true);
    }

    public Task<bool> TryUpdateAsync(string key, ReadOnlyMemory<byte> content, string expectedETag, string? contentType = null, CancellationToken cancellationToken = default)
    {
        if (!_objects.TryGetValue(key, out var o) || o.Info.ETag != expectedETag) return Task.FromResult(false);
        Store(key, content.ToArray(), contentType);
        return Task.FromResult(true);
    }

    private ObjectInfo Store(string key, byte[] data, string? contentType)
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(data));
        var info = new ObjectInfo(key, data.Length, sha[..16], DateTimeOffset.UtcNow, sha, contentType);
        _objects[key] = (data, info);
        return info;
    }
}
