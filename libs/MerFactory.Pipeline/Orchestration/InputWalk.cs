using System.Runtime.InteropServices;

namespace MerFactory.Pipeline.Orchestration;

/// <summary>
/// Walks an input folder, following linked folders but entering each real folder once, so a link loop cannot repeat
/// the files below it. Hidden entries and folders that cannot be read are passed over; dangling links are kept (they
/// fail later as one clear line).
/// </summary>
internal static class InputWalk
{
    public static IEnumerable<string> Files(string root)
    {
        var entered = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var folder = pending.Pop();
            if (!entered.Add(RealPath(folder) ?? folder)) continue;
            string[] entries;
            try
            {
                entries = Directory.GetFileSystemEntries(folder);
            }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException)
            {
                continue;
            }
            foreach (var entry in entries)
            {
                if (Path.GetFileName(entry).StartsWith('.')) continue;
                if (Directory.Exists(entry)) pending.Push(entry);
                else yield return entry;
            }
        }
    }

    /// <summary>The canonical path (every link resolved), or null when it cannot be resolved (dangling link, loop).</summary>
    public static string? RealPath(string path)
    {
        var resolved = Resolve(path, IntPtr.Zero);
        if (resolved == IntPtr.Zero) return null;
        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            Free(resolved);
        }
    }

#pragma warning disable SYSLIB1054 // DllImport keeps the project free of unsafe code.
    [DllImport("libc", EntryPoint = "realpath", SetLastError = true)]
    private static extern IntPtr Resolve(string path, IntPtr resolved);

    [DllImport("libc", EntryPoint = "free")]
    private static extern void Free(IntPtr pointer);
#pragma warning restore SYSLIB1054
}
