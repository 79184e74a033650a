using MerFactory.Storage;

namespace MerFactory.Export.Sources;

/// <summary>
/// MER-Factory's layout in an object store: <c>{prefix}{id}/{file}</c>, as objects stored under the prefix or as files
/// its reference manifests name (a job's outputs are the step artifacts themselves: see <see cref="StoredDataset"/>).
/// </summary>
public sealed class ObjectStoreRecordFileProvider(IObjectStore store, string prefix) : IRecordFileProvider
{
    private readonly StoredDataset _dataset = new(store, prefix, snapshot: true);

    public string Description => $"{store.Bucket}/{_dataset.Prefix}";

    public IAsyncEnumerable<string> ListRecordIdsAsync(CancellationToken cancellationToken = default) => _dataset.ListRecordIdsAsync(cancellationToken);

    public Task<Stream?> TryOpenAsync(string id, string fileName, CancellationToken cancellationToken = default) =>
        _dataset.TryOpenAsync(id, fileName, cancellationToken);

    public async Task<bool> ExistsAsync(string id, string fileName, CancellationToken cancellationToken = default) =>
        await store.StatAsync(await _dataset.KeyOfAsync(id, fileName, cancellationToken), cancellationToken) is not null;

    /// <summary>The object the file is (the manifests are read once per export; by the time records are located, they have been).</summary>
    public string Locate(string id, string fileName) =>
        $"s3://{store.Bucket}/{_dataset.KeyOfAsync(id, fileName).GetAwaiter().GetResult()}";
}
