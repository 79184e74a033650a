using System.Runtime.CompilerServices;

namespace MerFactory.Export.Sources;

/// <summary>An output folder on disk, as written by MerFactory or by Python MER-Factory.</summary>
public sealed class FolderRecordFileProvider : IRecordFileProvider
{
    // MER-Factory writes these next to the record folders; they hold no records.
    private static readonly HashSet<string> NonRecordFolders = new(StringComparer.OrdinalIgnoreCase) { "error_logs" };

    private readonly string _root;

    public FolderRecordFileProvider(string outputFolder)
    {
        _root = Path.GetFullPath(outputFolder);
        if (!Directory.Exists(_root))
            throw new DirectoryNotFoundException($"Output folder '{_root}' does not exist.");
    }

    public string Description => _root;

    public async IAsyncEnumerable<string> ListRecordIdsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // Sorted so an export is reproducible (export.py used listdir order). Names only: a few bytes per record.
        var names = Directory.EnumerateDirectories(_root)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(name => !name.StartsWith('.') && !NonRecordFolders.Contains(name))
            .Order(StringComparer.Ordinal)
            .ToList();
        foreach (var name in names)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return name;
        }
        await Task.CompletedTask;
    }

    public Task<Stream?> TryOpenAsync(string id, string fileName, CancellationToken cancellationToken = default)
    {
        // Exact path, no globbing: brackets and other pattern characters in names are plain characters here.
        var path = Path.Combine(_root, id, fileName);
        if (!File.Exists(path)) return Task.FromResult<Stream?>(null);
        // Unbuffered: the JSON and CSV readers read in large chunks of their own (pooled) buffers, and a
        // per-file FileStream buffer would be allocated thousands of times over a dataset.
        Stream stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
        return Task.FromResult<Stream?>(stream);
    }

    public Task<bool> ExistsAsync(string id, string fileName, CancellationToken cancellationToken = default) =>
        Task.FromResult(File.Exists(Path.Combine(_root, id, fileName)));

    public string Locate(string id, string fileName) => Path.Combine(_root, id, fileName);
}
