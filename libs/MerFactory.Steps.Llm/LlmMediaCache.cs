using System.Collections.Concurrent;
using MerFactory.Contracts;
using MerFactory.Llm;

namespace MerFactory.Steps.Llm;

/// <summary>
/// Media recently sent to a model, by content hash: the same frames go out again for every copy of a clip, for the
/// gate agent's regenerations and for re-runs, and each would otherwise be fetched from the object store again.
/// Bounded by total bytes; the oldest entries go first.
/// </summary>
public sealed class LlmMediaCache(long maxBytes = 64L << 20)
{
    private readonly ConcurrentDictionary<string, MediaAttachment> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _age = new();
    private long _bytes;

    public MediaAttachment? TryGet(ObjectReference reference, string name, string mimeType) =>
        string.IsNullOrEmpty(reference.Sha256) ? null : _entries.GetValueOrDefault(Key(reference, name, mimeType));

    public void Add(ObjectReference reference, string name, string mimeType, MediaAttachment attachment)
    {
        if (string.IsNullOrEmpty(reference.Sha256) || attachment.Content.Length > maxBytes / 4) return;
        if (!_entries.TryAdd(Key(reference, name, mimeType), attachment)) return;
        _age.Enqueue(Key(reference, name, mimeType));
        Interlocked.Add(ref _bytes, attachment.Content.Length);
        while (Interlocked.Read(ref _bytes) > maxBytes && _age.TryDequeue(out var oldest))
        {
            if (_entries.TryRemove(oldest, out var removed)) Interlocked.Add(ref _bytes, -removed.Content.Length);
        }
    }

    private static string Key(ObjectReference reference, string name, string mimeType) => $"{reference.Sha256}|{mimeType}|{name}";
}
