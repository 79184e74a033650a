using System.Runtime.InteropServices;

namespace MerFactory.AuEngine.Detection;

/// <summary>
/// glibc functions found at run time by name in <c>libc.so.6</c>. A <c>[DllImport("libc")]</c> needs the unversioned
/// <c>libc.so</c>, which only development packages install (and which is a linker script there), so a slim container
/// would lack it; musl and other libcs simply answer false.
/// </summary>
internal static class GlibcExports
{
    public static bool TryGet(string name, out nint export)
    {
        export = 0;
        return OperatingSystem.IsLinux() && NativeLibrary.TryLoad("libc.so.6", out var handle) && NativeLibrary.TryGetExport(handle, name, out export);
    }
}
