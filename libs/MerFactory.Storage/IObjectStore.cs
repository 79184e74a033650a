namespace MerFactory.Storage;

/// <summary>
/// Object storage for inputs, artifacts and shared state. Two implementations: a folder on disk
/// (the embedded default) and S3 (MinIO in production, s3rver in CI).
/// Keys use '/' separators and are relative to the store's bucket.
/// </summary>
public interface IObjectStore
{
    /// <summary>Bucket (or root folder name) objects of this store live in.</summary>
    string Bucket { get; }

    /// <summary>Streams <paramref name="content"/> to <paramref name="key"/>, replacing any existing object atomically.</summary>
    Task<ObjectInfo> PutAsync(string key, Stream content, string? contentType = null, CancellationToken cancellationToken = default);

    /// <summary>Opens the object for reading. Throws <see cref="ObjectNotFoundException"/> when absent.</summary>
    Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Metadata of the object, or null when absent.</summary>
    Task<ObjectInfo?> StatAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Objects whose key starts with <paramref name="prefix"/>, in ordinal key order.</summary>
    IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>Deletes the object; absent objects are ignored.</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>A URL that grants time-limited GET access without credentials.</summary>
    Task<Uri> GetPresignedReadUrlAsync(string key, TimeSpan validFor, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes only when the object does not exist yet. Returns false (and writes nothing) when it does.
    /// Used for claims and first-writer-wins shared state.
    /// </summary>
    Task<bool> TryCreateAsync(string key, ReadOnlyMemory<byte> content, string? contentType = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces the object only when its current ETag equals <paramref name="expectedETag"/>
    /// (optimistic concurrency for shared state). Returns false when it changed meanwhile or is absent.
    /// </summary>
    Task<bool> TryUpdateAsync(string key, ReadOnlyMemory<byte> content, string expectedETag, string? contentType = null, CancellationToken cancellationToken = default);
}

/// <summary>What the store knows about one object. <see cref="Sha256"/> is lower-case hex, when known.</summary>
public sealed record ObjectInfo(string Key, long Size, string ETag, DateTimeOffset LastModified, string? Sha256 = null, string? ContentType = null);

public sealed class ObjectNotFoundException(string bucket, string key)
    : Exception($"Object '{key}' not found in bucket '{bucket}'.")
{
    public string Bucket { get; } = bucket;
    public string Key { get; } = key;
}
