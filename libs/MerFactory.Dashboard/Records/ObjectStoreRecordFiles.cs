using MerFactory.Export.Sources;
using MerFactory.Storage;

namespace MerFactory.Dashboard.Records;

/// <summary>
/// The dataset in an object store, under <c>{prefix}{id}/{file}</c> (e.g. a distributed job's <c>jobs/{job}/output/</c>),
/// as the dashboard resource of the AppHost reads it. Media are streamed from the store; the source video of a record
/// is the upload its <c>{id}_media.json</c> names, when the dataset lies in that upload's owner's folders.
/// </summary>
public sealed class ObjectStoreRecordFiles(IObjectStore store, string prefix, SourceClipCache sources) : IRecordFiles
{
    private readonly string _prefix = prefix.Length == 0 || prefix.EndsWith('/') ? prefix : prefix + "/";
    private readonly string? _owner = SourceClips.OwnerOf(prefix.Length == 0 || prefix.EndsWith('/') ? prefix : prefix + "/");

    public string Description => $"{store.Bucket}/{_prefix}";

    public IRecordFileProvider ExportProvider { get; } = new ObjectStoreRecordFileProvider(store, prefix);

    public IAsyncEnumerable<string> ListRecordIdsAsync(CancellationToken cancellationToken = default) => ExportProvider.ListRecordIdsAsync(cancellationToken);

    public async Task<IReadOnlyList<RecordFileInfo>> ListFilesAsync(string id, CancellationToken cancellationToken = default)
    {
        if (!FolderRecordFiles.IsPlainName(id) || id.StartsWith('.')) return [];
        var folder = $"{_prefix}{id}/";
        var files = new List<RecordFileInfo>();
        await foreach (var info in store.ListAsync(folder, cancellationToken))
        {
            var name = info.Key[folder.Length..];
            if (name.Contains('/')) continue; // only files directly in the record folder
            files.Add(new RecordFileInfo(name, info.Size, info.LastModified.UtcDateTime));
        }
        return files;
    }

    public async Task<Stream?> OpenAsync(string id, string fileName, CancellationToken cancellationToken = default)
    {
        if (!FolderRecordFiles.IsPlainName(id) || !FolderRecordFiles.IsPlainName(fileName)) return null;
        try
        {
            return await store.OpenReadAsync($"{_prefix}{id}/{fileName}", cancellationToken);
        }
        catch (ObjectNotFoundException)
        {
            return null;
        }
    }

    public string? LocalPath(string id, string fileName) => null;

    /// <summary>Never a local path (records in a store name paths of other machines): the upload the record names, if its owner's.</summary>
    public Task<SourceClip?> FindSourceAsync(RecordSnapshot snapshot, CancellationToken cancellationToken = default) =>
        SourceClips.FindInStoreAsync(this, snapshot, _owner, cancellationToken);

    public Task<ServedSource?> OpenSourceAsync(SourceClip clip, CancellationToken cancellationToken = default) =>
        clip.StoreKey is { } key ? sources.OpenAsync(store, key, cancellationToken) : Task.FromResult<ServedSource?>(null);
}
