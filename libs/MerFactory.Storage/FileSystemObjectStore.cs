using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace MerFactory.Storage;

/// <summary>
/// Object store on a local folder (the embedded default). Writes go to a temporary file first and are
/// renamed into place, so a crash never leaves a partial object; create-if-absent uses an atomic hard link.
/// </summary>
public sealed partial class FileSystemObjectStore : IObjectStore
{
    private const string TempSuffix = ".partial";
    private readonly string _root;

    public FileSystemObjectStore(string rootDirectory, string bucket = "merfactory")
    {
        Bucket = bucket;
        _root = Path.GetFullPath(Path.Combine(rootDirectory, bucket));
        Directory.CreateDirectory(_root);
    }

    public string Bucket { get; }

    /// <summary>Absolute file path of an object (for tools such as ffmpeg that need a path).</summary>
    public string GetLocalPath(string key) => Path.Combine(_root, ObjectKeys.Validate(key).Replace('/', Path.DirectorySeparatorChar));

    public async Task<ObjectInfo> PutAsync(string key, Stream content, string? contentType = null, CancellationToken cancellationToken = default)
    {
        var path = GetLocalPath(key);
        var (temp, sha) = await WriteTempAsync(path, content, cancellationToken).ConfigureAwait(false);
        File.Move(temp, path, overwrite: true);
        return Describe(key, new FileInfo(path), sha, contentType);
    }

    /// <summary>
    /// Takes ownership of a local file: hashes it and moves it into place (a rename on the same file system),
    /// so large step outputs are not copied.
    /// </summary>
    public async Task<ObjectInfo> ImportFileAsync(string key, string sourcePath, string? contentType = null, CancellationToken cancellationToken = default)
    {
        var path = GetLocalPath(key);
        string sha;
        await using (var source = new FileStream(sourcePath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true))
        {
            sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(source, cancellationToken).ConfigureAwait(false));
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.Move(sourcePath, path, overwrite: true);
        return Describe(key, new FileInfo(path), sha, contentType);
    }

    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken = default)
    {
        var path = GetLocalPath(key);
        try
        {
            Stream stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 16, useAsync: true);
            return Task.FromResult(stream);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ObjectNotFoundException(Bucket, key);
        }
    }

    public Task<ObjectInfo?> StatAsync(string key, CancellationToken cancellationToken = default)
    {
        var info = new FileInfo(GetLocalPath(key));
        return Task.FromResult(info.Exists ? Describe(key, info, null, null) : null);
    }

    public async IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // Validated before the folder is looked at: '../' would otherwise tell what exists outside the store.
        ObjectKeys.ValidatePrefix(prefix);
        if (!Directory.Exists(_root)) yield break;
        // Start from the deepest folder the prefix names, then filter by the full prefix.
        var folderPart = prefix.Contains('/') ? prefix[..prefix.LastIndexOf('/')] : "";
        var start = folderPart.Length == 0 ? _root : Path.Combine(_root, folderPart.Replace('/', Path.DirectorySeparatorChar));
        if (!Directory.Exists(start)) yield break;
        var keys = Directory.EnumerateFiles(start, "*", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith(TempSuffix, StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(_root, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Where(k => k.StartsWith(prefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var info = new FileInfo(GetLocalPath(key));
            if (info.Exists) yield return Describe(key, info, null, null);
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        File.Delete(GetLocalPath(key));
        return Task.CompletedTask;
    }

    public Task<Uri> GetPresignedReadUrlAsync(string key, TimeSpan validFor, CancellationToken cancellationToken = default)
    {
        var path = GetLocalPath(key);
        if (!File.Exists(path)) throw new ObjectNotFoundException(Bucket, key);
        return Task.FromResult(new Uri(path));
    }

    public async Task<bool> TryCreateAsync(string key, ReadOnlyMemory<byte> content, string? contentType = null, CancellationToken cancellationToken = default)
    {
        var path = GetLocalPath(key);
        if (File.Exists(path)) return false;
        var (temp, _) = await WriteTempAsync(path, new MemoryStream(content.ToArray(), writable: false), cancellationToken).ConfigureAwait(false);
        try
        {
            // link(2) fails with EEXIST when the name exists: an atomic first-writer-wins publish.
            if (Link(temp, path) == 0) return true;
            var errno = Marshal.GetLastPInvokeError();
            if (errno == EExist) return false;
            throw new IOException($"Could not create '{path}' (errno {errno}).");
        }
        finally
        {
            File.Delete(temp);
        }
    }

    public async Task<bool> TryUpdateAsync(string key, ReadOnlyMemory<byte> content, string expectedETag, string? contentType = null, CancellationToken cancellationToken = default)
    {
        var path = GetLocalPath(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // An exclusive lock file serialises compare-and-swap across threads and processes (flock on Unix).
        await using var gate = await AcquireLockAsync(path + ".lock", cancellationToken).ConfigureAwait(false);
        var info = new FileInfo(path);
        if (!info.Exists || ETagOf(info) != expectedETag) return false;
        var (temp, _) = await WriteTempAsync(path, new MemoryStream(content.ToArray(), writable: false), cancellationToken).ConfigureAwait(false);
        File.Move(temp, path, overwrite: true);
        return true;
    }

    private static async Task<FileStream> AcquireLockAsync(string lockPath, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(2);
        while (true)
        {
            try
            {
                return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
            }
            catch (IOException)
            {
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 50));
            }
        }
    }

    private static async Task<(string TempPath, string Sha256)> WriteTempAsync(string finalPath, Stream content, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(finalPath)!);
        var temp = $"{finalPath}.{Guid.NewGuid():N}{TempSuffix}";
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                var buffer = new byte[1 << 16];
                int read;
                while ((read = await content.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }
                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }
            return (temp, Convert.ToHexStringLower(hash.GetHashAndReset()));
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    private static string ETagOf(FileInfo info) => $"{info.Length:x}-{info.LastWriteTimeUtc.Ticks:x}";

    private static ObjectInfo Describe(string key, FileInfo info, string? sha, string? contentType) =>
        new(key, info.Length, ETagOf(info), new DateTimeOffset(info.LastWriteTimeUtc, TimeSpan.Zero), sha, contentType);

    private const int EExist = 17;

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string existingPath, string newPath);
}
