namespace MerFactory.Export.Sources;

/// <summary>
/// MER-Factory's output layout (<c>OUT/{id}/{file}</c>) over some storage: a folder on disk or an object store.
/// </summary>
public interface IRecordFileProvider
{
    string Description { get; }

    /// <summary>Record folder names, in a deterministic (ordinal) order.</summary>
    IAsyncEnumerable<string> ListRecordIdsAsync(CancellationToken cancellationToken = default);

    /// <summary>Opens <c>{id}/{fileName}</c>, or returns null when it does not exist.</summary>
    Task<Stream?> TryOpenAsync(string id, string fileName, CancellationToken cancellationToken = default);

    Task<bool> ExistsAsync(string id, string fileName, CancellationToken cancellationToken = default);

    /// <summary>How <c>{id}/{fileName}</c> is referred to in exports (an absolute path, or an object URI).</summary>
    string Locate(string id, string fileName);
}
