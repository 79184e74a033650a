using System.Runtime.InteropServices;
using System.Security.Cryptography;
using MerFactory.Contracts;
using MerFactory.Storage;

namespace MerFactory.Pipeline.Orchestration;

/// <summary>
/// Puts input files into the object store under their content hash (<c>inputs/{sha256}{ext}</c>), so identical
/// content is stored once and every step key starts from the bytes, not the file name. A store on local disk (the
/// embedded CLI) gets a hard link to the input — or a symbolic link across file systems — so inputs are read in
/// place, never copied.
/// </summary>
public sealed partial class InputStager(IObjectStore store)
{
    public async Task<ObjectReference> StageAsync(string path, CancellationToken cancellationToken)
    {
        var (sha, size) = await HashAsync(path, cancellationToken).ConfigureAwait(false);
        var key = $"inputs/{sha}{Path.GetExtension(path).ToLowerInvariant()}";
        var existing = await store.StatAsync(key, cancellationToken).ConfigureAwait(false);
        if (existing is null || existing.Size != size)
        {
            if (store is FileSystemObjectStore local) LinkInPlace(path, local.GetLocalPath(key));
            else
            {
                await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
                await store.PutAsync(key, file, null, cancellationToken).ConfigureAwait(false);
            }
        }
        return new ObjectReference(store.Bucket, key, size, sha);
    }

    private static async Task<(string Sha, long Size)> HashAsync(string path, CancellationToken cancellationToken)
    {
        if (new FileInfo(path).LinkTarget is { } target && Dangling(path))
            throw new InputUnreadableException($"is a symbolic link to '{target}', which does not exist (or loops)");
        try
        {
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
            var sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(file, cancellationToken).ConfigureAwait(false));
            return (sha, file.Length);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            throw new InputUnreadableException($"cannot be read: {e.Message}", e);
        }
    }

    /// <summary>Makes <paramref name="storePath"/> name the input's bytes without copying them.</summary>
    private static void LinkInPlace(string inputPath, string storePath)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(storePath)!);
        DeleteStale(storePath);
        var source = Path.GetFullPath(inputPath);
        // Link the file itself, not a symbolic link that leads to it (a hard link to a link would dangle with it).
        if (File.ResolveLinkTarget(source, returnFinalTarget: true) is { } final) source = final.FullName;
        if (Link(source, storePath) == 0) return;
        var errno = Marshal.GetLastPInvokeError();
        if (errno == EExist) return; // a file with the same bytes got there first
        // Another file system (EXDEV) or links not allowed there: a symbolic link still reads the input in place.
        try
        {
            File.CreateSymbolicLink(storePath, source);
        }
        catch (IOException) when (File.Exists(storePath))
        {
        }
    }

    /// <summary>A symbolic link whose input has gone is not the object any more.</summary>
    private static void DeleteStale(string storePath)
    {
        if (new FileInfo(storePath).LinkTarget is not null && Dangling(storePath)) File.Delete(storePath);
    }

    /// <summary>A symbolic link that leads nowhere (its target is missing, or links loop).</summary>
    private static bool Dangling(string path)
    {
        try
        {
            return File.ResolveLinkTarget(path, returnFinalTarget: true) is not { Exists: true };
        }
        catch (IOException)
        {
            return true;
        }
    }

    private const int EExist = 17;

#pragma warning disable SYSLIB1054 // DllImport keeps the project free of unsafe code; link(2) takes two plain paths.
    [DllImport("libc", EntryPoint = "link", SetLastError = true)]
    private static extern int Link(string existingPath, string newPath);
#pragma warning restore SYSLIB1054
}
