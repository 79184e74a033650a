using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace MerFactory.Storage;

/// <summary>A file of a <see cref="StoredDataset"/>: its path in the dataset and the object holding it.</summary>
public sealed record DatasetFile(string Path, string Key, long Size, DateTimeOffset LastModified);

/// <summary>
/// A dataset in MER-Factory's layout (<c>{id}/{file}</c>) under a prefix of an object store: the objects stored there
/// (datasets written file by file, and jobs of earlier versions, which copied every output) plus the files its
/// reference manifests name (<see cref="DatasetReferences"/>). A referenced path wins over a stored object of the same
/// path, and a later manifest over an earlier one. Manifests never change once read unless their ETag does, so each is
/// read once per instance.
/// </summary>
/// <param name="snapshot">Read the manifests once and keep them (one export reads one state of the dataset); otherwise
/// every call sees manifests added since (the dashboard, which lives as long as the deployment).</param>
public sealed class StoredDataset(IObjectStore store, string prefix, bool snapshot = false)
{
    private readonly ConcurrentDictionary<string, (string ETag, IReadOnlyList<ReferencedFile> Files)> _manifests = new(StringComparer.Ordinal);
    private IReadOnlyDictionary<string, DatasetFile>? _snapshot;

    public string Prefix { get; } = DatasetReferences.NormalizePrefix(prefix);

    public IObjectStore Store => store;

    /// <summary>Every referenced file, by path (one LIST of the manifests' folder, plus a GET of each new or changed manifest).</summary>
    public async Task<IReadOnlyDictionary<string, DatasetFile>> ReferencesAsync(CancellationToken cancellationToken = default)
    {
        if (_snapshot is not null) return _snapshot;
        var manifests = new List<ObjectInfo>();
        await foreach (var info in store.ListAsync(DatasetReferences.FolderOf(Prefix), cancellationToken).ConfigureAwait(false))
            if (info.Key.EndsWith(".json", StringComparison.Ordinal)) manifests.Add(info);
        var files = new Dictionary<string, DatasetFile>(StringComparer.Ordinal);
        foreach (var manifest in manifests.OrderBy(m => m.LastModified).ThenBy(m => m.Key, StringComparer.Ordinal))
        {
            if (!_manifests.TryGetValue(manifest.Key, out var known) || known.ETag != manifest.ETag)
                _manifests[manifest.Key] = known = (manifest.ETag, await DatasetReferences.ReadAsync(store, manifest.Key, cancellationToken).ConfigureAwait(false));
            foreach (var file in known.Files) files[file.Path] = new DatasetFile(file.Path, file.Key, file.Size, manifest.LastModified);
        }
        if (snapshot) _snapshot = files;
        return files;
    }

    /// <summary>Record folder names (stored or referenced), in ordinal order; hidden folders and <c>error_logs</c> are not records.</summary>
    public async IAsyncEnumerable<string> ListRecordIdsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var ids = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var path in (await ReferencesAsync(cancellationToken).ConfigureAwait(false)).Keys) AddRecordId(ids, path);
        await foreach (var info in store.ListAsync(Prefix, cancellationToken).ConfigureAwait(false)) AddRecordId(ids, info.Key[Prefix.Length..]);
        foreach (var id in ids) yield return id;
    }

    private static void AddRecordId(SortedSet<string> ids, string path)
    {
        var slash = path.IndexOf('/');
        if (slash <= 0) return; // a file directly in the dataset is not a record folder
        var id = path[..slash];
        if (!id.StartsWith('.') && !id.Equals("error_logs", StringComparison.OrdinalIgnoreCase)) ids.Add(id);
    }

    /// <summary>The files directly in the record folder <paramref name="id"/>.</summary>
    public async Task<IReadOnlyList<DatasetFile>> ListFilesAsync(string id, CancellationToken cancellationToken = default)
    {
        var folder = $"{id}/";
        var files = new Dictionary<string, DatasetFile>(StringComparer.Ordinal);
        await foreach (var info in store.ListAsync(Prefix + folder, cancellationToken).ConfigureAwait(false))
        {
            var path = info.Key[Prefix.Length..];
            if (!path[folder.Length..].Contains('/')) files[path] = new DatasetFile(path, info.Key, info.Size, info.LastModified);
        }
        foreach (var (path, file) in await ReferencesAsync(cancellationToken).ConfigureAwait(false))
            if (path.StartsWith(folder, StringComparison.Ordinal) && !path[folder.Length..].Contains('/')) files[path] = file;
        return [.. files.Values.OrderBy(f => f.Path, StringComparer.Ordinal)];
    }

    /// <summary>The object holding <c>{id}/{fileName}</c>: the referenced one, else the one stored under the prefix (which may not exist).</summary>
    public async Task<string> KeyOfAsync(string id, string fileName, CancellationToken cancellationToken = default)
    {
        var path = $"{id}/{fileName}";
        return (await ReferencesAsync(cancellationToken).ConfigureAwait(false)).TryGetValue(path, out var file) ? file.Key : Prefix + path;
    }

    /// <summary>Opens <c>{id}/{fileName}</c>, or returns null when the dataset has no such file.</summary>
    public async Task<Stream?> TryOpenAsync(string id, string fileName, CancellationToken cancellationToken = default)
    {
        try
        {
            return await store.OpenReadAsync(await KeyOfAsync(id, fileName, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectNotFoundException)
        {
            return null;
        }
    }
}
