using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using MerFactory.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MerFactory.Dashboard.Records;

/// <summary>Bounds of the local copies of stored source clips (section <c>Dashboard:SourceCache</c>).</summary>
public sealed class SourceCacheOptions
{
    /// <summary>Folder of the copies; default <c>$TMPDIR/merfactory-dashboard-sources</c>.</summary>
    public string? Directory { get; set; }

    /// <summary>Total size kept; the least recently served copies go first. Default 2 GiB.</summary>
    public long MaxBytes { get; set; } = 2L << 30;

    /// <summary>A copy not served for this long is removed. Default 7 days.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(7);

    public string ResolvedDirectory => Directory ?? Path.Combine(Path.GetTempPath(), "merfactory-dashboard-sources");
}

/// <summary>
/// Local copies of source clips kept in an object store, so a player's byte-range requests are answered from a file.
/// Pruned on start and whenever a new copy takes the folder over <see cref="SourceCacheOptions.MaxBytes"/>: copies older than
/// <see cref="SourceCacheOptions.MaxAge"/> (by last use) first, then the least recently used. A copy being served is never
/// removed: each served copy is open and leased until its response ends, and leased copies are skipped. (Another dashboard
/// sharing the folder may unlink a copy this one serves; the open handle keeps the bytes readable until it is closed.)
/// </summary>
public sealed partial class SourceClipCache(SourceCacheOptions options, TimeProvider time, ILogger<SourceClipCache>? logger = null)
{
    private readonly ConcurrentDictionary<string, int> _leases = new(StringComparer.Ordinal);
    private readonly ILogger _logger = logger ?? NullLogger<SourceClipCache>.Instance;
    private readonly Lock _pruneLock = new();

    public string Folder => options.ResolvedDirectory;

    /// <summary>The object opened from its local copy (fetched when missing or of another size); null when the store lacks it.</summary>
    public async Task<ServedSource?> OpenAsync(IObjectStore store, string key, CancellationToken cancellationToken)
    {
        if (await store.StatAsync(key, cancellationToken) is not { } info) return null;
        var folder = System.IO.Directory.CreateDirectory(Folder).FullName;
        var name = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{store.Bucket}/{key}"))) + Path.GetExtension(key).ToLowerInvariant();
        var path = Path.Combine(folder, name);
        Lease(path);
        var fetched = false;
        try
        {
            if (!File.Exists(path) || new FileInfo(path).Length != info.Size)
            {
                await FetchAsync(store, key, path, cancellationToken);
                fetched = true;
            }
            File.SetLastWriteTimeUtc(path, time.GetUtcNow().UtcDateTime); // the last use, which pruning goes by
            var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 16, useAsync: true);
            var served = new ServedSource(stream, () => Release(path));
            if (fetched) Prune();
            return served;
        }
        catch
        {
            Release(path);
            throw;
        }
    }

    /// <summary>Removes stale copies, then the least recently used until the folder is within its bound; leased copies stay.</summary>
    public void Prune()
    {
        lock (_pruneLock)
        {
            var dir = new DirectoryInfo(Folder);
            if (!dir.Exists) return;
            var now = time.GetUtcNow().UtcDateTime;
            var copies = dir.EnumerateFiles().OrderBy(f => f.LastWriteTimeUtc).ToList();
            var total = copies.Sum(f => f.Length);
            foreach (var copy in copies)
            {
                var partial = copy.Name.EndsWith(".partial", StringComparison.Ordinal);
                var stale = now - copy.LastWriteTimeUtc > (partial ? TimeSpan.FromHours(1) : options.MaxAge);
                if (!stale && (partial || total <= options.MaxBytes)) continue;
                if (_leases.ContainsKey(copy.FullName)) continue;
                var length = copy.Length; // before the delete, which makes FileInfo look again
                try
                {
                    copy.Delete();
                    total -= length;
                    LogPruned(_logger, copy.Name, length);
                }
                catch (IOException e)
                {
                    LogPruneFailed(_logger, e, copy.Name);
                }
            }
        }
    }

    private async Task FetchAsync(IObjectStore store, string key, string path, CancellationToken cancellationToken)
    {
        var partial = $"{path}.{Guid.NewGuid():N}.partial";
        try
        {
            await using (var source = await store.OpenReadAsync(key, cancellationToken))
            await using (var target = File.Create(partial))
                await source.CopyToAsync(target, cancellationToken);
            File.Move(partial, path, overwrite: true);
        }
        finally
        {
            File.Delete(partial);
        }
    }

    private void Lease(string path) => _leases.AddOrUpdate(path, 1, (_, n) => n + 1);

    private void Release(string path)
    {
        while (_leases.TryGetValue(path, out var n))
        {
            if (n <= 1 ? _leases.TryRemove(new KeyValuePair<string, int>(path, n)) : _leases.TryUpdate(path, n - 1, n)) return;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed the cached source clip {Name} ({Bytes} bytes)")]
    private static partial void LogPruned(ILogger logger, string name, long bytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not remove the cached source clip {Name}")]
    private static partial void LogPruneFailed(ILogger logger, Exception exception, string name);
}

/// <summary>A source clip opened for a response; disposing it (when the response ends) ends its lease.</summary>
public sealed class ServedSource(Stream stream, Action? release = null) : IDisposable
{
    private Action? _release = release;

    public Stream Stream => stream;

    public void Dispose()
    {
        stream.Dispose();
        Interlocked.Exchange(ref _release, null)?.Invoke();
    }
}
