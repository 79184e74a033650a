using System.Security.Cryptography;
using Grpc.Core;
using MerFactory.Protos.Jobs;
using ProtoRef = MerFactory.Protos.Common.ObjectRef;

namespace MerFactory.JobClient;

/// <summary>
/// Downloads a remote job's outputs into OUTPUT: each once (a newer version of a path replaces the older), a few at a
/// time, each only to a path inside OUTPUT and only if its bytes have the sha256 the server named.
/// </summary>
internal sealed class RemoteDownloads(Protos.Jobs.Jobs.JobsClient jobs, string root, int transfers)
{
    /// <summary>A download that receives nothing for this long is abandoned and asked for again.</summary>
    internal static readonly TimeSpan DownloadStallTimeout = TimeSpan.FromSeconds(60);

    internal const int DownloadAttempts = 3;

    private readonly SemaphoreSlim _slots = new(transfers);
    private readonly Dictionary<string, (string Sha256, Task Download)> _started = new(StringComparer.Ordinal);
    private readonly List<Task> _downloads = [];

    /// <summary>Starts the downloads not started yet; completes when these outputs are all on disk.</summary>
    public Task Start(IEnumerable<JobOutput> outputs, CancellationToken cancellationToken)
    {
        var these = new List<Task>();
        foreach (var o in outputs)
        {
            var earlier = _started.GetValueOrDefault(o.RelativePath);
            if (earlier.Download is not null && earlier.Sha256 == o.Object.Sha256)
            {
                these.Add(earlier.Download);
                continue;
            }
            var download = DownloadOneAsync(o, earlier.Download, cancellationToken);
            _started[o.RelativePath] = (o.Object.Sha256, download);
            _downloads.Add(download);
            these.Add(download);
        }
        return Task.WhenAll(these);
    }

    public Task WhenAllAsync() => Task.WhenAll(_downloads);

    private async Task DownloadOneAsync(JobOutput output, Task? earlierVersion, CancellationToken cancellationToken)
    {
        var path = PathInside(root, output.RelativePath);
        // A newer version of a path waits for the older one, so the two never write the same file at once.
        if (earlierVersion is not null) await earlierVersion.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        await _slots.WaitAsync(cancellationToken);
        try
        {
            await DownloadAsync(jobs, output.Object, path, cancellationToken);
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>
    /// Where an output named <paramref name="relativePath"/> by the server goes: inside <paramref name="root"/>, or refused
    /// (an absolute path, a '..' segment or anything that resolves outside OUTPUT is the server's error, never written).
    /// </summary>
    internal static string PathInside(string root, string relativePath)
    {
        var segments = relativePath.Split('/');
        if (relativePath.Length == 0 || Path.IsPathRooted(relativePath) || relativePath.Contains('\\') || relativePath.Contains('\0')
            || segments.Any(s => s is "" or "." or ".."))
            throw new InvalidDataException($"The server named an output '{relativePath}' that is not a relative path inside OUTPUT; it was not written.");
        var full = Path.GetFullPath(Path.Combine(root, Path.Combine(segments)));
        var rootFull = Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        if (!full.StartsWith(rootFull, StringComparison.Ordinal))
            throw new InvalidDataException($"The output '{relativePath}' resolves outside OUTPUT; it was not written.");
        return full;
    }

    /// <summary>
    /// Streams one object to <paramref name="path"/> through a <c>.partial</c> file, which becomes the file only when
    /// its sha256 is the reference's. A call that stalls — no response and no chunk for <paramref name="stallTimeout"/> —
    /// is cancelled and asked for again, up to <see cref="DownloadAttempts"/> times: an HTTP/2 stream whose answer never
    /// came once held a run open after its job had finished.
    /// </summary>
    internal static async Task DownloadAsync(Protos.Jobs.Jobs.JobsClient jobs, ProtoRef reference, string path, CancellationToken cancellationToken,
        TimeSpan? stallTimeout = null)
    {
        if (string.IsNullOrEmpty(reference.Sha256))
            throw new InvalidDataException($"The server named no sha256 for {reference.Key}; it cannot be verified and was not downloaded.");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".partial";
        var stall = stallTimeout ?? DownloadStallTimeout;
        for (var attempt = 1; ; attempt++)
        {
            using var stalled = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            stalled.CancelAfter(stall);
            try
            {
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                using (var call = jobs.Download(reference, cancellationToken: stalled.Token))
                await using (var file = File.Create(temp))
                {
                    await foreach (var chunk in call.ResponseStream.ReadAllAsync(stalled.Token))
                    {
                        hash.AppendData(chunk.Data.Span);
                        chunk.Data.WriteTo(file);
                        stalled.CancelAfter(stall);
                    }
                }
                var sha = Convert.ToHexStringLower(hash.GetHashAndReset());
                if (!sha.Equals(reference.Sha256, StringComparison.OrdinalIgnoreCase))
                {
                    File.Delete(temp);
                    throw new InvalidDataException($"{reference.Key} arrived with sha256 {sha}, not the {reference.Sha256} the server named; it was not kept.");
                }
                File.Move(temp, path, overwrite: true);
                return;
            }
            catch (Exception e) when (e is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled or StatusCode.DeadlineExceeded }
                                      && !cancellationToken.IsCancellationRequested && stalled.IsCancellationRequested)
            {
                if (attempt >= DownloadAttempts)
                    throw new IOException($"Downloading {reference.Key} to {path} stalled {DownloadAttempts} times (nothing received for {stall.TotalSeconds:0} s each time).", e);
            }
        }
    }
}
