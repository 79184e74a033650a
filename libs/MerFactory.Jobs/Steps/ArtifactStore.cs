using System.Text.Json;
using MerFactory.Contracts;
using MerFactory.Storage;

namespace MerFactory.Jobs.Steps;

/// <summary>Step outputs and manifests in the object store, under <c>artifacts/{step}/{key}/</c>.</summary>
/// <param name="inputs">Local copies of inputs kept across steps (a remote store only); without it each step downloads its own.</param>
public sealed class ArtifactStore(IObjectStore store, LocalInputCache? inputs = null)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public IObjectStore Objects => store;

    public static string Prefix(string step, string key) => $"artifacts/{step}/{key}/";

    public static string ManifestKey(string step, string key) => Prefix(step, key) + "manifest.json";

    /// <summary>
    /// The committed manifest of a step, or null when there is none, it is of an older shape (no typed response) or
    /// an output it names is gone.
    /// </summary>
    public async Task<StepManifest<TResponse>?> TryGetManifestAsync<TResponse>(string step, string key, CancellationToken cancellationToken)
        where TResponse : class
    {
        if (_known.TryGetValue(Prefix(step, key), out var known) && known is StepManifest<TResponse> typed) return typed;
        StepManifest<TResponse>? manifest;
        try
        {
            await using var stream = await store.OpenReadAsync(ManifestKey(step, key), cancellationToken).ConfigureAwait(false);
            manifest = await JsonSerializer.DeserializeAsync<StepManifest<TResponse>>(stream, Json, cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectNotFoundException)
        {
            return null;
        }
        catch (JsonException)
        {
            return null; // a manifest of another shape describes nothing this step can answer with: redo the step
        }
        if (manifest?.Response is null || manifest.Outputs is null) return null;
        // A manifest is trusted only while every output it names is still there.
        foreach (var output in manifest.Outputs)
        {
            if (await store.StatAsync(output.Key, cancellationToken).ConfigureAwait(false) is not { } info || info.Size != output.Size) return null;
        }
        Remember(step, key, manifest);
        return manifest;
    }

    /// <summary>
    /// Manifests already checked or written by this process. A committed manifest never changes (its key is made of
    /// its inputs' content), so copies of a clip and re-asked requests are answered without a round trip to the store.
    /// </summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, object> _known = new(StringComparer.Ordinal);

    private const int KnownLimit = 10_000;

    private void Remember(string step, string key, object manifest)
    {
        if (_known.Count >= KnownLimit) _known.Clear();
        _known[Prefix(step, key)] = manifest;
    }

    public async Task<ObjectReference> PutOutputAsync(string step, string key, string name, Stream content, string? contentType, CancellationToken cancellationToken)
    {
        var info = await store.PutAsync(Prefix(step, key) + name, content, contentType, cancellationToken).ConfigureAwait(false);
        return ToReference(info, contentType);
    }

    /// <summary>Stores a scratch file as a step output (moved, not copied, when the store is a local folder).</summary>
    public async Task<ObjectReference> PutOutputFileAsync(string step, string key, string name, string path, string? contentType, CancellationToken cancellationToken)
    {
        if (store is FileSystemObjectStore fs)
            return ToReference(await fs.ImportFileAsync(Prefix(step, key) + name, path, contentType, cancellationToken).ConfigureAwait(false), contentType);
        await using var file = File.OpenRead(path);
        return await PutOutputAsync(step, key, name, file, contentType, cancellationToken).ConfigureAwait(false);
    }

    public async Task CommitAsync<TResponse>(StepManifest<TResponse> manifest, CancellationToken cancellationToken) where TResponse : class
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(manifest, Json);
        await store.PutAsync(ManifestKey(manifest.Step, manifest.Key), new MemoryStream(bytes), "application/json", cancellationToken).ConfigureAwait(false);
        Remember(manifest.Step, manifest.Key, manifest);
    }

    public ObjectReference ToReference(ObjectInfo info, string? contentType = null) =>
        new(store.Bucket, info.Key, info.Size, info.Sha256 ?? "", contentType ?? info.ContentType);

    /// <summary>
    /// Completes a reference whose hash or size the caller did not give (step keys depend on the hash):
    /// from the store's metadata when it has it, else by reading the object.
    /// </summary>
    public async Task<ObjectReference> ResolveAsync(ObjectReference reference, CancellationToken cancellationToken)
    {
        var info = await store.StatAsync(reference.Key, cancellationToken).ConfigureAwait(false)
            ?? throw new ObjectNotFoundException(store.Bucket, reference.Key);
        var sha = !string.IsNullOrEmpty(reference.Sha256) ? reference.Sha256 : info.Sha256;
        if (string.IsNullOrEmpty(sha))
        {
            await using var stream = await store.OpenReadAsync(reference.Key, cancellationToken).ConfigureAwait(false);
            sha = Convert.ToHexStringLower(await System.Security.Cryptography.SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
        }
        return reference with { Bucket = store.Bucket, Size = info.Size, Sha256 = sha };
    }

    /// <summary>
    /// Copies an object to a local file: a path lookup when the store is a local folder, else the input cache's copy
    /// (fetched once per service and verified), else a temporary copy of its own.
    /// </summary>
    public async Task<LocalCopy> GetLocalCopyAsync(ObjectReference reference, string extension, CancellationToken cancellationToken)
    {
        if (store is FileSystemObjectStore fs)
        {
            var path = fs.GetLocalPath(reference.Key);
            if (File.Exists(path)) return new LocalCopy(path, owned: false);
            throw new ObjectNotFoundException(store.Bucket, reference.Key);
        }
        if (inputs is not null && await inputs.TryGetAsync(reference, extension, cancellationToken).ConfigureAwait(false) is { } cached) return cached;
        var temp = Path.Combine(Path.GetTempPath(), $"mf-{Guid.NewGuid():N}{extension}");
        await using (var source = await store.OpenReadAsync(reference.Key, cancellationToken).ConfigureAwait(false))
        await using (var target = File.Create(temp))
        {
            await source.CopyToAsync(target, cancellationToken).ConfigureAwait(false);
        }
        return new LocalCopy(temp, owned: true);
    }
}

/// <summary>A local file holding an object's bytes; deleted on dispose when it is a temporary copy, released when a cached one.</summary>
public sealed class LocalCopy : IDisposable
{
    private readonly Action? _release;
    private int _disposed;

    public LocalCopy(string path, bool owned)
    {
        Path = path;
        if (owned) _release = () => File.Delete(path);
    }

    internal LocalCopy(string path, Action release) => (Path, _release) = (path, release);

    public string Path { get; }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) _release?.Invoke();
    }
}
