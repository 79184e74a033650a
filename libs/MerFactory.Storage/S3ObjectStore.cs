using System.Net;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Minio;
using Minio.DataModel.Args;
using Minio.Exceptions;

namespace MerFactory.Storage;

/// <summary>
/// Object store on S3 through the Minio SDK (MinIO in production, s3rver in CI).
/// The SHA-256 of each object travels as user metadata so references can be checked without reading.
/// Create-if-absent and update-if-unchanged use S3 conditional writes (If-None-Match / If-Match).
/// </summary>
public sealed class S3ObjectStore : IObjectStore, IDisposable
{
    private const string Sha256Metadata = "x-amz-meta-sha256";
    private const string DefaultContentType = "application/octet-stream";
    private const int PresignedSeconds = 300;
    private readonly IMinioClient _client;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromMinutes(2) };
    private readonly SemaphoreSlim _bucketGate = new(1, 1);
    private volatile bool _bucketReady;

    public S3ObjectStore(S3StoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Bucket = options.Bucket;
        var endpoint = new Uri(options.Endpoint);
        _client = new MinioClient()
            .WithEndpoint(endpoint.Host, endpoint.Port)
            .WithCredentials(options.AccessKey, options.SecretKey)
            .WithSSL(endpoint.Scheme == Uri.UriSchemeHttps)
            .WithRegion(options.Region)
            .Build();
    }

    public string Bucket { get; }

    public async Task<ObjectInfo> PutAsync(string key, Stream content, string? contentType = null, CancellationToken cancellationToken = default)
    {
        ObjectKeys.Validate(key);
        await using var spooled = await SpoolAsync(content, cancellationToken).ConfigureAwait(false);
        var etag = await PutSpooledAsync(key, spooled, contentType, cancellationToken).ConfigureAwait(false);
        // The PUT's answer and what was sent describe the object: no second request (a stat is two with this SDK).
        return new ObjectInfo(key, spooled.Stream.Length, etag, DateTimeOffset.UtcNow, spooled.Sha256, contentType ?? DefaultContentType);
    }

    public async Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken = default)
    {
        ObjectKeys.Validate(key);
        await EnsureBucketAsync(cancellationToken).ConfigureAwait(false);
        // One presigned GET: the SDK's GetObjectAsync asks for the bucket and the object's stat first (three requests).
        var url = await _client.PresignedGetObjectAsync(new PresignedGetObjectArgs().WithBucket(Bucket).WithObject(key).WithExpiry(PresignedSeconds)).ConfigureAwait(false);
        using var response = await _http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound) throw new ObjectNotFoundException(Bucket, key);
        if (!response.IsSuccessStatusCode)
        {
            var error = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new IOException($"Reading '{key}' from bucket '{Bucket}' failed: {(int)response.StatusCode} {error}");
        }
        // Spooled so callers get an ordinary seekable stream and the connection goes back to the pool at once.
        var temp = new FileStream(Path.GetTempFileName(), FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        try
        {
            await using (var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false))
            {
                await body.CopyToAsync(temp, cancellationToken).ConfigureAwait(false);
            }
            temp.Position = 0;
            return temp;
        }
        catch
        {
            await temp.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async Task<ObjectInfo?> StatAsync(string key, CancellationToken cancellationToken = default)
    {
        ObjectKeys.Validate(key);
        await EnsureBucketAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var stat = await _client.StatObjectAsync(new StatObjectArgs().WithBucket(Bucket).WithObject(key), cancellationToken).ConfigureAwait(false);
            var sha = stat.MetaData.FirstOrDefault(kv => kv.Key.Equals(Sha256Metadata, StringComparison.OrdinalIgnoreCase)
                                                          || kv.Key.Equals("sha256", StringComparison.OrdinalIgnoreCase)).Value;
            return new ObjectInfo(key, stat.Size, stat.ETag.Trim('"'), new DateTimeOffset(stat.LastModified.ToUniversalTime(), TimeSpan.Zero), sha, stat.ContentType);
        }
        catch (Exception e) when (e is Minio.Exceptions.ObjectNotFoundException or BucketNotFoundException)
        {
            return null;
        }
    }

    public async IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ObjectKeys.ValidatePrefix(prefix);
        await EnsureBucketAsync(cancellationToken).ConfigureAwait(false);
        var items = new List<ObjectInfo>();
        await foreach (var item in _client.ListObjectsEnumAsync(new ListObjectsArgs().WithBucket(Bucket).WithPrefix(prefix).WithRecursive(true), cancellationToken).ConfigureAwait(false))
        {
            if (item.IsDir) continue;
            items.Add(new ObjectInfo(item.Key, (long)item.Size, item.ETag?.Trim('"') ?? "", item.LastModifiedDateTime is { } m ? new DateTimeOffset(m.ToUniversalTime(), TimeSpan.Zero) : DateTimeOffset.MinValue));
        }
        foreach (var info in items.OrderBy(i => i.Key, StringComparer.Ordinal)) yield return info;
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        ObjectKeys.Validate(key);
        await EnsureBucketAsync(cancellationToken).ConfigureAwait(false);
        await _client.RemoveObjectAsync(new RemoveObjectArgs().WithBucket(Bucket).WithObject(key), cancellationToken).ConfigureAwait(false);
    }

    public async Task<Uri> GetPresignedReadUrlAsync(string key, TimeSpan validFor, CancellationToken cancellationToken = default)
    {
        ObjectKeys.Validate(key);
        await EnsureBucketAsync(cancellationToken).ConfigureAwait(false);
        var url = await _client.PresignedGetObjectAsync(new PresignedGetObjectArgs().WithBucket(Bucket).WithObject(key)
            .WithExpiry((int)Math.Clamp(validFor.TotalSeconds, 1, 604800))).ConfigureAwait(false);
        return new Uri(url);
    }

    public Task<bool> TryCreateAsync(string key, ReadOnlyMemory<byte> content, string? contentType = null, CancellationToken cancellationToken = default) =>
        ConditionalPutAsync(key, content, contentType, "If-None-Match", "*", cancellationToken);

    public Task<bool> TryUpdateAsync(string key, ReadOnlyMemory<byte> content, string expectedETag, string? contentType = null, CancellationToken cancellationToken = default) =>
        ConditionalPutAsync(key, content, contentType, "If-Match", $"\"{expectedETag}\"", cancellationToken);

    /// <summary>
    /// The Minio SDK rewrites headers it does not know into user metadata, so conditional writes go through
    /// a presigned PUT (which signs only the host) sent with the condition header.
    /// </summary>
    private async Task<bool> ConditionalPutAsync(string key, ReadOnlyMemory<byte> content, string? contentType, string header, string value, CancellationToken cancellationToken)
    {
        ObjectKeys.Validate(key);
        await EnsureBucketAsync(cancellationToken).ConfigureAwait(false);
        var url = await _client.PresignedPutObjectAsync(new PresignedPutObjectArgs().WithBucket(Bucket).WithObject(key).WithExpiry(PresignedSeconds)).ConfigureAwait(false);
        using var request = new HttpRequestMessage(HttpMethod.Put, url) { Content = new ReadOnlyMemoryContent(content) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType ?? DefaultContentType);
        request.Headers.TryAddWithoutValidation(header, value);
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.PreconditionFailed) return false;
        if (response.IsSuccessStatusCode) return true;
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        throw new IOException($"Conditional write of '{key}' to bucket '{Bucket}' failed: {(int)response.StatusCode} {body}");
    }

    public void Dispose()
    {
        _client.Dispose();
        _http.Dispose();
        _bucketGate.Dispose();
    }

    /// <returns>The new object's ETag.</returns>
    private async Task<string> PutSpooledAsync(string key, SpooledContent spooled, string? contentType, CancellationToken cancellationToken)
    {
        await EnsureBucketAsync(cancellationToken).ConfigureAwait(false);
        var args = new PutObjectArgs().WithBucket(Bucket).WithObject(key)
            .WithStreamData(spooled.Stream).WithObjectSize(spooled.Stream.Length)
            .WithContentType(contentType ?? DefaultContentType)
            .WithHeaders(new Dictionary<string, string> { [Sha256Metadata] = spooled.Sha256 });
        var response = await _client.PutObjectAsync(args, cancellationToken).ConfigureAwait(false);
        return response.Etag?.Trim('"') ?? "";
    }

    private async Task EnsureBucketAsync(CancellationToken cancellationToken)
    {
        if (_bucketReady) return;
        await _bucketGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_bucketReady) return;
            if (!await _client.BucketExistsAsync(new BucketExistsArgs().WithBucket(Bucket), cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await _client.MakeBucketAsync(new MakeBucketArgs().WithBucket(Bucket), cancellationToken).ConfigureAwait(false);
                }
                catch (MinioException)
                {
                    // Another process may have created it first (servers word that error differently: BucketAlreadyOwnedByYou,
                    // BucketAlreadyExists, "The requested bucket already exists"): the bucket being there is all we need.
                    if (!await _client.BucketExistsAsync(new BucketExistsArgs().WithBucket(Bucket), cancellationToken).ConfigureAwait(false)) throw;
                }
            }
            _bucketReady = true;
        }
        finally
        {
            _bucketGate.Release();
        }
    }

    /// <summary>S3 needs the length up front and the hash goes in the headers, so content is spooled to a temp file while hashing.</summary>
    private static async Task<SpooledContent> SpoolAsync(Stream content, CancellationToken cancellationToken)
    {
        var temp = new FileStream(Path.GetTempFileName(), FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        int read;
        while ((read = await content.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            await temp.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
        }
        temp.Position = 0;
        return new SpooledContent(temp, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    private sealed record SpooledContent(FileStream Stream, string Sha256) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Stream.DisposeAsync();
    }
}

/// <summary>Connection settings of the S3 store (section <c>ObjectStore:S3</c>).</summary>
public sealed class S3StoreOptions
{
    public string Endpoint { get; set; } = "http://127.0.0.1:15300";
    public string AccessKey { get; set; } = "S3RVER";
    public string SecretKey { get; set; } = "S3RVER";
    public string Bucket { get; set; } = "merfactory";
    public string Region { get; set; } = "us-east-1";
}
