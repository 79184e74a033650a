using System.Buffers.Binary;
using System.IO.Hashing;
using System.IO.MemoryMappedFiles;

namespace MerFactory.AuEngine.Models;

/// <summary>One text-model file the compiled form was made from: a change in size or time makes the compiled form stale.</summary>
public sealed record ModelSource(string Path, long Length, long LastWriteUtcTicks)
{
    /// <summary>Every file of the given files and folders (folders recursively), in a stable order.</summary>
    public static IReadOnlyList<ModelSource> Fingerprint(IEnumerable<string> filesAndFolders) =>
        filesAndFolders.Select(System.IO.Path.GetFullPath)
            .SelectMany(p => Directory.Exists(p) ? Directory.EnumerateFiles(p, "*", SearchOption.AllDirectories) : [p])
            .Where(File.Exists)
            .Order(StringComparer.Ordinal)
            .Select(p => new FileInfo(p))
            .Select(f => new ModelSource(f.FullName, f.Length, f.LastWriteTimeUtc.Ticks))
            .ToList();
}

/// <summary>
/// A model parsed once from OpenFace's text/binary files and stored compactly: a fixed header (magic, format version,
/// XxHash3 of everything after it), then the model kind and its version, the source fingerprints and the payload.
/// It is read through a memory mapping; a bad magic, version or checksum is <see cref="CorruptModelException"/>, a
/// changed source is <see cref="StaleModelException"/>: either way the caller rebuilds it from the text.
/// </summary>
public static class CompiledModelFile
{
    /// <summary>Bumped whenever the header layout changes.</summary>
    public const int FormatVersion = 1;

    public const string Extension = ".mfmodel";

    private const int HeaderLength = 8 + 4 + 8;
    private static ReadOnlySpan<byte> Magic => "MFMODEL\0"u8;

    /// <summary>Writes atomically (temporary file, then rename) so a reader never sees half a file.</summary>
    public static void Write(string path, string kind, int kindVersion, IReadOnlyList<ModelSource> sources, Action<ModelPackWriter> writePayload)
    {
        var body = new ModelPackWriter();
        body.Write(kind);
        body.Write(kindVersion);
        body.Write(sources.Count);
        foreach (var source in sources)
        {
            body.Write(source.Path);
            body.Write(source.Length);
            body.Write(source.LastWriteUtcTicks);
        }
        writePayload(body);

        var header = new byte[HeaderLength];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), FormatVersion);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(12), XxHash3.HashToUInt64(body.Written));
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        var temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                file.Write(header);
                file.Write(body.Written);
            }
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Maps and checks the file, then hands the payload to <paramref name="readPayload"/>.</summary>
    /// <exception cref="CorruptModelException">Wrong magic, format or kind version, checksum mismatch, or a payload that does not parse.</exception>
    /// <exception cref="StaleModelException">The sources changed since the file was written.</exception>
    public static unsafe T Read<T>(string path, string kind, int kindVersion, IReadOnlyList<ModelSource> currentSources, Func<ModelPackReader, T> readPayload)
    {
        var region = new MappedModelRegion(path);
        try
        {
            var length = region.Length;
            if (length < HeaderLength) throw new CorruptModelException(path, "shorter than its header");
            var data = region.Start;
            var header = new ReadOnlySpan<byte>(data, HeaderLength);
            if (!header[..8].SequenceEqual(Magic)) throw new CorruptModelException(path, "not a compiled model (bad magic)");
            var format = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
            if (format != FormatVersion) throw new CorruptModelException(path, $"compiled-model format {format}, expected {FormatVersion}");
            var bodyLength = length - HeaderLength;
            if (bodyLength > int.MaxValue) throw new CorruptModelException(path, "implausibly large");
            var bodySpan = new ReadOnlySpan<byte>(data + HeaderLength, (int)bodyLength);
            if (XxHash3.HashToUInt64(bodySpan) != BinaryPrimitives.ReadUInt64LittleEndian(header[12..]))
                throw new CorruptModelException(path, "checksum mismatch");

            var body = new ModelPackReader(data + HeaderLength, bodyLength, path, region);
            var storedKind = body.ReadString();
            var storedVersion = body.ReadInt32();
            if (storedKind != kind || storedVersion != kindVersion)
                throw new CorruptModelException(path, $"holds {storedKind} v{storedVersion}, expected {kind} v{kindVersion}");
            var sourceCount = body.ReadCount(100_000);
            var stored = new List<ModelSource>(sourceCount);
            for (var i = 0; i < sourceCount; i++) stored.Add(new ModelSource(body.ReadString(), body.ReadInt64(), body.ReadInt64()));
            if (!stored.SequenceEqual(currentSources)) throw new StaleModelException(path, Describe(stored, currentSources));
            var model = readPayload(body);
            if (!body.AtEnd) throw body.Corrupt("bytes after the payload");
            return model;
        }
        finally
        {
            // Tables read in place keep the mapping (until the model is collected); otherwise it goes now. A read that
            // failed part-way leaves its tables unreachable, so their mapping goes with the next collection.
            region.ReleaseIfUnused();
        }
    }

    private static string Describe(List<ModelSource> stored, IReadOnlyList<ModelSource> current)
    {
        var changed = current.Except(stored).Select(s => s.Path).Concat(stored.Select(s => s.Path).Except(current.Select(s => s.Path))).Distinct().ToList();
        return changed.Count == 0 ? "its sources changed" : $"{changed.Count} source file(s) changed, e.g. {changed[0]}";
    }
}

/// <summary>A compiled model made from sources that have changed since.</summary>
public sealed class StaleModelException(string path, string cause) : IOException($"Compiled model '{path}' is out of date: {cause}")
{
    public string FilePath { get; } = path;
}
