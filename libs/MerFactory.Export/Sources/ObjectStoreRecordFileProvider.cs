using System.Runtime.CompilerServices;
using MerFactory.Storage;

namespace MerFactory.Export.Sources;

/// <summary>
/// MER-Factory's layout in an object store: <c>{prefix}{id}/{file}</c>. Ids are read off the listing as it
/// streams, so a large dataset is never held in memory.
/// </summary>
public sealed class ObjectStoreRecordFileProvider(IObjectStore store, string prefix) : IRecordFileProvider
{
    private readonly string _prefix = prefix.Length == 0 || prefix.EndsWith('/') ? prefix : prefix + "/";

    public string Description => $"{store.Bucket}/{_prefix}";

    public async IAsyncEnumerable<string> ListRecordIdsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // Keys arrive in ordinal order, so all keys of one folder are adjacent: compare with the previous id only.
        string? previous = null;
        await foreach (var info in store.ListAsync(_prefix, cancellationToken))
        {
            var rest = info.Key[_prefix.Length..];
            var slash = rest.IndexOf('/');
            if (slash <= 0) continue; // an object directly under the prefix is not a record folder
            var id = rest[..slash];
            if (id == previous || id.StartsWith('.') || id.Equals("error_logs", StringComparison.OrdinalIgnoreCase)) continue;
            previous = id;
            yield return id;
        }
    }

    public async Task<Stream?> TryOpenAsync(string id, string fileName, CancellationToken cancellationToken = default)
    {
        try
        {
            return await store.OpenReadAsync(Key(id, fileName), cancellationToken);
        }
        catch (ObjectNotFoundException)
        {
            return null;
        }
    }

    public async Task<bool> ExistsAsync(string id, string fileName, CancellationToken cancellationToken = default) =>
        await store.StatAsync(Key(id, fileName), cancellationToken) is not null;

    public string Locate(string id, string fileName) => $"s3://{store.Bucket}/{Key(id, fileName)}";

    private string Key(string id, string fileName) => $"{_prefix}{id}/{fileName}";
}
