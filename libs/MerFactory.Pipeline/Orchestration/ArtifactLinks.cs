using System.Collections.Concurrent;
using MerFactory.Contracts;

namespace MerFactory.Pipeline.Orchestration;

/// <summary>
/// Output files that are step artifacts, kept as references instead of copied into OUTPUT. The job API runs jobs so:
/// a job's outputs are then a manifest of the artifacts themselves, never copied, uploaded again and downloaded twice.
/// </summary>
public sealed class ArtifactLinks
{
    private readonly ConcurrentDictionary<string, ObjectReference> _links = new(StringComparer.Ordinal);

    /// <summary>Records that OUTPUT's <paramref name="relativePath"/> ('/'-separated) is <paramref name="reference"/>.</summary>
    public void Add(string relativePath, ObjectReference reference) => _links[relativePath] = reference;

    /// <summary>The links whose path starts with <paramref name="folder"/> (e.g. <c>clip/</c>; empty for all), by path.</summary>
    public IReadOnlyList<KeyValuePair<string, ObjectReference>> Under(string folder) =>
        [.. _links.Where(l => l.Key.StartsWith(folder, StringComparison.Ordinal)).OrderBy(l => l.Key, StringComparer.Ordinal)];
}
