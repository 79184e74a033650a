using MerFactory.Export.Sources;
using MerFactory.Storage;

namespace MerFactory.Dashboard.Records;

/// <summary>
/// The dataset in an object store, under <c>{prefix}{id}/{file}</c> (e.g. a distributed job's <c>jobs/{owner}/{job}/output/</c>),
/// as the dashboard resource of the AppHost reads it: objects stored there and files its reference manifests name
/// (<see cref="StoredDataset"/>: a job's outputs are its step artifacts, not copies). Media are streamed from the store;
/// the source video of a record is the upload its <c>{id}_media.json</c> names, when the dataset lies in that upload's
/// owner's folders.
/// </summary>
public sealed class ObjectStoreRecordFiles(IObjectStore store, string prefix, SourceClipCache sources) : IRecordFiles
{
    private readonly StoredDataset _dataset = new(store, prefix);
    private readonly string? _owner = SourceClips.OwnerOf(DatasetReferences.NormalizePrefix(prefix));

    public string Description => $"{store.Bucket}/{_dataset.Prefix}";

    /// <summary>A new provider per export: each export reads the dataset's manifests once, as they are when it starts.</summary>
    public IRecordFileProvider ExportProvider => new ObjectStoreRecordFileProvider(store, prefix);

    public IAsyncEnumerable<string> ListRecordIdsAsync(CancellationToken cancellationToken = default) => _dataset.ListRecordIdsAsync(cancellationToken);

    public async Task<IReadOnlyList<RecordFileInfo>> ListFilesAsync(string id, CancellationToken cancellationToken = default)
    {
        if (!FolderRecordFiles.IsPlainName(id) || id.StartsWith('.')) return [];
        var files = await _dataset.ListFilesAsync(id, cancellationToken);
        return [.. files.Select(f => new RecordFileInfo(f.Path[(id.Length + 1)..], f.Size, f.LastModified.UtcDateTime))];
    }

    public Task<Stream?> OpenAsync(string id, string fileName, CancellationToken cancellationToken = default) =>
        FolderRecordFiles.IsPlainName(id) && FolderRecordFiles.IsPlainName(fileName) ? _dataset.TryOpenAsync(id, fileName, cancellationToken) : Task.FromResult<Stream?>(null);

    public string? LocalPath(string id, string fileName) => null;

    /// <summary>Never a local path (records in a store name paths of other machines): the upload the record names, if its owner's.</summary>
    public Task<SourceClip?> FindSourceAsync(RecordSnapshot snapshot, CancellationToken cancellationToken = default) =>
        SourceClips.FindInStoreAsync(this, snapshot, _owner, cancellationToken);

    public Task<ServedSource?> OpenSourceAsync(SourceClip clip, CancellationToken cancellationToken = default) =>
        clip.StoreKey is { } key ? sources.OpenAsync(store, key, cancellationToken) : Task.FromResult<ServedSource?>(null);
}
