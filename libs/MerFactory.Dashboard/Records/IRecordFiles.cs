using MerFactory.Export.Sources;

namespace MerFactory.Dashboard.Records;

/// <summary>A file inside a record folder.</summary>
public sealed record RecordFileInfo(string Name, long Length, DateTime LastWriteUtc);

/// <summary>The clip a record was made from, where this storage keeps it: a local file, or an object of the store.</summary>
public sealed record SourceClip(string Name, string? LocalPath, string? StoreKey);

/// <summary>
/// The dataset's record folders (<c>{id}/{files}</c>) on some storage. Only names listed here are ever opened:
/// a request names a record and one of its files, never a path.
/// </summary>
public interface IRecordFiles
{
    string Description { get; }

    IAsyncEnumerable<string> ListRecordIdsAsync(CancellationToken cancellationToken = default);

    /// <summary>The files directly in the record's folder; empty when the record does not exist.</summary>
    Task<IReadOnlyList<RecordFileInfo>> ListFilesAsync(string id, CancellationToken cancellationToken = default);

    Task<Stream?> OpenAsync(string id, string fileName, CancellationToken cancellationToken = default);

    /// <summary>A local path for range-served media, or null when the storage is remote.</summary>
    string? LocalPath(string id, string fileName);

    /// <summary>The same layout for the exporter's record source.</summary>
    IRecordFileProvider ExportProvider { get; }

    /// <summary>The record's source video when this storage can serve it (a cheap look-up: nothing is copied).</summary>
    Task<SourceClip?> FindSourceAsync(RecordSnapshot snapshot, CancellationToken cancellationToken = default);

    /// <summary><paramref name="clip"/> opened as a seekable file, to serve with byte ranges (a player seeks); dispose it when served.</summary>
    Task<ServedSource?> OpenSourceAsync(SourceClip clip, CancellationToken cancellationToken = default);
}

/// <summary>An output folder on disk.</summary>
public sealed class FolderRecordFiles : IRecordFiles
{
    private readonly string _root;

    public FolderRecordFiles(string outputDir)
    {
        _root = Path.GetFullPath(outputDir);
        ExportProvider = new FolderRecordFileProvider(_root);
    }

    public string Description => _root;

    public IRecordFileProvider ExportProvider { get; }

    public IAsyncEnumerable<string> ListRecordIdsAsync(CancellationToken cancellationToken = default) => ExportProvider.ListRecordIdsAsync(cancellationToken);

    public Task<IReadOnlyList<RecordFileInfo>> ListFilesAsync(string id, CancellationToken cancellationToken = default)
    {
        var folder = RecordFolder(id);
        IReadOnlyList<RecordFileInfo> files = folder is null
            ? []
            : new DirectoryInfo(folder).EnumerateFiles().Select(f => new RecordFileInfo(f.Name, f.Length, f.LastWriteTimeUtc)).ToList();
        return Task.FromResult(files);
    }

    public Task<Stream?> OpenAsync(string id, string fileName, CancellationToken cancellationToken = default)
    {
        var path = LocalPath(id, fileName);
        return Task.FromResult<Stream?>(path is null ? null : File.OpenRead(path));
    }

    public string? LocalPath(string id, string fileName)
    {
        var folder = RecordFolder(id);
        if (folder is null || !IsPlainName(fileName)) return null;
        var path = Path.Combine(folder, fileName);
        return File.Exists(path) ? path : null;
    }

    /// <summary>A folder's records were made here: the clip is the local file their <c>source_path</c> names.</summary>
    public Task<SourceClip?> FindSourceAsync(RecordSnapshot snapshot, CancellationToken cancellationToken = default) =>
        Task.FromResult(snapshot.SourcePath is { } path && SourceClips.IsShown(path) && File.Exists(path) ? new SourceClip(Path.GetFileName(path), path, null) : null);

    public Task<ServedSource?> OpenSourceAsync(SourceClip clip, CancellationToken cancellationToken = default) =>
        Task.FromResult(clip.LocalPath is { } path && File.Exists(path) ? new ServedSource(File.OpenRead(path)) : null);

    /// <summary>The record's folder when <paramref name="id"/> is a plain name of an existing folder under the root.</summary>
    private string? RecordFolder(string id)
    {
        if (!IsPlainName(id) || id.StartsWith('.')) return null;
        var folder = Path.Combine(_root, id);
        return Directory.Exists(folder) ? folder : null;
    }

    /// <summary>One path segment: no separators, no "." or "..", nothing rooted.</summary>
    internal static bool IsPlainName(string name) =>
        name.Length > 0 && name != "." && name != ".." && name.IndexOfAny(['/', '\\', '\0']) < 0 && !Path.IsPathRooted(name);
}
