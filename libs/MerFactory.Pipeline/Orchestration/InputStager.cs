using System.Security.Cryptography;
using MerFactory.Contracts;
using MerFactory.Storage;

namespace MerFactory.Pipeline.Orchestration;

/// <summary>
/// Puts input files into the object store under their content hash (<c>inputs/{sha256}{ext}</c>), so
/// identical content is stored once and every step key starts from the bytes, not the file name.
/// </summary>
public sealed class InputStager(IObjectStore store)
{
    public async Task<ObjectReference> StageAsync(string path, CancellationToken cancellationToken)
    {
        string sha;
        await using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true))
        {
            sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(file, cancellationToken).ConfigureAwait(false));
        }
        var key = $"inputs/{sha}{Path.GetExtension(path).ToLowerInvariant()}";
        var existing = await store.StatAsync(key, cancellationToken).ConfigureAwait(false);
        var size = new FileInfo(path).Length;
        if (existing is null || existing.Size != size)
        {
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
            await store.PutAsync(key, file, null, cancellationToken).ConfigureAwait(false);
        }
        return new ObjectReference(store.Bucket, key, size, sha);
    }
}
