using System.Collections.Concurrent;
using System.Security.Cryptography;
using MerFactory.Contracts;
using MerFactory.Pipeline.Orchestration;
using MerFactory.Protos.Jobs;
using MerFactory.Storage;
using ProtoRef = MerFactory.Protos.Common.ObjectRef;

namespace MerFactory.JobApi.Jobs;

/// <summary>
/// A job's outputs as references. A file that is a step artifact (linked by orchestration: <see cref="ArtifactLinks"/>)
/// is that artifact, never copied; a file only the job wrote (records, <c>_steps.json</c>, error logs, the run summary)
/// is put once under <c>jobs/{owner}/{job}/output/</c>. Before an artifact is announced it is recorded as an output of
/// the owner's job, which is what lets that owner, and nobody else, download it. At the end the whole list is written
/// as the job's reference manifest (<see cref="DatasetReferences"/>), which the dashboard and export read.
/// </summary>
internal sealed class OutputPublisher(IObjectStore store, JobStore jobs, Guid jobId, string owner, string folder, ArtifactLinks links)
{
    /// <summary>Uploads at once; each waits mostly on a store round trip.</summary>
    private const int Transfers = 8;

    private readonly ConcurrentDictionary<string, (long Length, DateTime Modified, JobOutput Output)> _written = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, JobOutput> _linked = new(StringComparer.Ordinal);

    public string OutputPrefix { get; } = $"{OwnedKeys.Prefix(OwnedKeys.Jobs, owner)}{jobId}/output/";

    /// <summary>The outputs of one input (its folder), not published before.</summary>
    public async Task<List<JobOutput>> PublishFolderAsync(string fileId, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(folder, fileId);
        var written = Directory.Exists(directory) ? await PutAsync(Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories), cancellationToken) : [];
        return [.. written, .. await LinkAsync(fileId + "/", cancellationToken)];
    }

    /// <summary>Every output not yet published (job-level files, anything a file wrote late); returns all outputs, by path.</summary>
    public async Task<List<JobOutput>> PublishRemainingAsync(CancellationToken cancellationToken)
    {
        await PutAsync(Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories), cancellationToken);
        await LinkAsync("", cancellationToken);
        var all = _linked.ToDictionary(StringComparer.Ordinal);
        foreach (var (path, written) in _written) all[path] = written.Output; // a file the job wrote over a link is the file
        return [.. all.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => o.Value)];
    }

    /// <summary>Writes the job's reference manifest: its outputs as a dataset under <see cref="OutputPrefix"/>.</summary>
    public Task WriteManifestAsync(IEnumerable<JobOutput> outputs, CancellationToken cancellationToken) =>
        DatasetReferences.PutAsync(store, OutputPrefix, "job",
            outputs.Select(o => new ReferencedFile(o.RelativePath, o.Object.Key, o.Object.Size, o.Object.Sha256)), cancellationToken);

    private async Task<List<JobOutput>> LinkAsync(string under, CancellationToken cancellationToken)
    {
        var outputs = new List<JobOutput>();
        foreach (var (path, reference) in links.Under(under))
        {
            if (_linked.TryGetValue(path, out var known) && known.Object.Key == reference.Key) continue;
            var resolved = await WithSha256Async(reference, cancellationToken);
            outputs.Add(new JobOutput
            {
                RelativePath = path,
                Object = new ProtoRef { Bucket = store.Bucket, Key = resolved.Key, Size = resolved.Size, Sha256 = resolved.Sha256, ContentType = resolved.ContentType ?? "" },
            });
        }
        // Recorded before anyone hears of them: a client downloads an output as soon as its event arrives.
        await jobs.AddOutputReferencesAsync(jobId, owner, outputs.Select(o => o.Object.Key), cancellationToken);
        foreach (var output in outputs) _linked[output.RelativePath] = output;
        return outputs;
    }

    /// <summary>An artifact's sha256, from its reference, else the store's metadata, else its bytes (a client verifies every download).</summary>
    private async Task<ObjectReference> WithSha256Async(ObjectReference reference, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(reference.Sha256)) return reference;
        if (await store.StatAsync(reference.Key, cancellationToken) is { Sha256: { Length: > 0 } sha } info) return reference with { Size = info.Size, Sha256 = sha };
        await using var content = await store.OpenReadAsync(reference.Key, cancellationToken);
        return reference with { Sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(content, cancellationToken)) };
    }

    private async Task<List<JobOutput>> PutAsync(IEnumerable<string> files, CancellationToken cancellationToken)
    {
        var outputs = new ConcurrentBag<JobOutput>();
        await Parallel.ForEachAsync(files.ToList(), new ParallelOptions { MaxDegreeOfParallelism = Transfers, CancellationToken = cancellationToken }, async (file, ct) =>
        {
            var relative = Path.GetRelativePath(folder, file).Replace('\\', '/');
            if (relative.StartsWith(".merfactory/", StringComparison.Ordinal) || relative.EndsWith(".partial", StringComparison.Ordinal)) return;
            var info = new FileInfo(file);
            if (_written.TryGetValue(relative, out var known) && known.Length == info.Length && known.Modified == info.LastWriteTimeUtc) return;
            await using var stream = File.OpenRead(file);
            var put = await store.PutAsync(OutputPrefix + relative, stream, cancellationToken: ct);
            var output = new JobOutput { RelativePath = relative, Object = new ProtoRef { Bucket = store.Bucket, Key = put.Key, Size = put.Size, Sha256 = put.Sha256 ?? "" } };
            _written[relative] = (info.Length, info.LastWriteTimeUtc, output);
            outputs.Add(output);
        });
        return [.. outputs.OrderBy(o => o.RelativePath, StringComparer.Ordinal)];
    }
}
