using System.Diagnostics;
using System.Security.Cryptography;
using MerFactory.Contracts;
using MerFactory.Storage;

namespace MerFactory.Jobs.Steps;

/// <summary>Section <c>InputCache</c>: the local copies of step inputs a service keeps (see <see cref="LocalInputCache"/>).</summary>
public sealed class InputCacheOptions
{
    public const string SectionName = "InputCache";

    /// <summary>Most bytes kept; 0 turns the cache off (every step downloads its input again).</summary>
    public long MaxBytes { get; set; } = 1L << 30;

    /// <summary>Where the copies live (a folder per process beneath it); default: the temp folder.</summary>
    public string? Folder { get; set; }
}

/// <summary>
/// Local copies of step inputs, by sha256, so a service that runs several steps on one input (media-extract probes,
/// extracts audio, samples and extracts frames of the same clip) fetches it from the store once. Each copy is verified
/// against its reference's sha256 as it arrives; at most <see cref="InputCacheOptions.MaxBytes"/> are kept, the least
/// recently used evicted first, never while a step reads it. Copies live in a folder of this process, removed on dispose;
/// folders that processes no longer running left behind are removed on start.
/// </summary>
public sealed class LocalInputCache : IDisposable
{
    private readonly IObjectStore _store;
    private readonly long _maxBytes;
    private readonly string _folder;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Task<Entry>> _arriving = new(StringComparer.Ordinal);
    private long _bytes;

    public LocalInputCache(IObjectStore store, InputCacheOptions options)
    {
        _store = store;
        _maxBytes = options.MaxBytes;
        var root = Path.Combine(options.Folder ?? Path.GetTempPath(), "merfactory-inputs");
        RemoveFoldersOfEndedProcesses(root);
        _folder = Directory.CreateDirectory(Path.Combine(root, Environment.ProcessId.ToString())).FullName;
    }

    /// <summary>Bytes held now (for tests and telemetry).</summary>
    public long Bytes { get { lock (_gate) return _bytes; } }

    /// <summary>Downloads since start: one per input that was not already here.</summary>
    public int Downloads { get; private set; }

    /// <summary>A copy of the object, held for the step until disposed; null when it cannot be cached (no sha256, too big, cache off).</summary>
    public async Task<LocalCopy?> TryGetAsync(ObjectReference reference, string extension, CancellationToken cancellationToken)
    {
        if (_maxBytes <= 0 || reference.Sha256 is not { Length: 64 } sha || reference.Size > _maxBytes) return null;
        Task<Entry> arriving;
        lock (_gate)
        {
            if (_entries.TryGetValue(sha, out var held) && File.Exists(held.Path)) return Lease(held);
            if (!_arriving.TryGetValue(sha, out arriving!)) _arriving[sha] = arriving = DownloadAsync(reference, sha, extension);
        }
        var entry = await arriving.WaitAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate) return Lease(entry);
    }

    private LocalCopy Lease(Entry entry)
    {
        entry.Readers++;
        entry.LastUsed = Stopwatch.GetTimestamp();
        return new LocalCopy(entry.Path, () => { lock (_gate) entry.Readers--; });
    }

    private async Task<Entry> DownloadAsync(ObjectReference reference, string sha, string extension)
    {
        try
        {
            var path = Path.Combine(_folder, sha + extension);
            var partial = path + $".{Guid.NewGuid():N}.partial";
            try
            {
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                await using (var source = await _store.OpenReadAsync(reference.Key).ConfigureAwait(false))
                await using (var target = File.Create(partial))
                {
                    var buffer = new byte[1 << 16];
                    int read;
                    while ((read = await source.ReadAsync(buffer).ConfigureAwait(false)) > 0)
                    {
                        hash.AppendData(buffer, 0, read);
                        await target.WriteAsync(buffer.AsMemory(0, read)).ConfigureAwait(false);
                    }
                }
                var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
                if (!actual.Equals(sha, StringComparison.OrdinalIgnoreCase))
                    throw new InvalidDataException($"{reference.Key} arrived with sha256 {actual}, not the {sha} its reference names.");
                File.Move(partial, path, overwrite: true);
            }
            finally
            {
                File.Delete(partial);
            }
            var entry = new Entry(path, new FileInfo(path).Length);
            lock (_gate)
            {
                if (_entries.Remove(sha, out var replaced)) _bytes -= replaced.Size; // its file had gone
                _entries[sha] = entry;
                _bytes += entry.Size;
                Downloads++;
                EvictOverLimit(keep: entry);
            }
            return entry;
        }
        finally
        {
            lock (_gate) _arriving.Remove(sha);
        }
    }

    /// <summary>Drops the least recently used copies no step is reading until the cache fits (call under the lock).</summary>
    /// <param name="keep">The copy just fetched, which its waiters have not leased yet.</param>
    private void EvictOverLimit(Entry keep)
    {
        foreach (var (sha, entry) in _entries.OrderBy(e => e.Value.LastUsed).ToList())
        {
            if (_bytes <= _maxBytes) return;
            if (entry.Readers > 0 || entry == keep) continue;
            _entries.Remove(sha);
            _bytes -= entry.Size;
            TryDelete(entry.Path);
        }
    }

    private static void RemoveFoldersOfEndedProcesses(string root)
    {
        if (!Directory.Exists(root)) return;
        foreach (var folder in Directory.EnumerateDirectories(root))
        {
            if (int.TryParse(Path.GetFileName(folder), out var pid) && pid != Environment.ProcessId && IsRunning(pid)) continue;
            try { Directory.Delete(folder, recursive: true); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DirectoryNotFoundException) { }
    }

    private sealed class Entry(string path, long size)
    {
        public string Path { get; } = path;
        public long Size { get; } = size;
        public int Readers { get; set; }
        public long LastUsed { get; set; } = Stopwatch.GetTimestamp();
    }
}
