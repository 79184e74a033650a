using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using OpenCvSharp;

namespace MerFactory.AuEngine.Detection;

/// <summary>
/// Native settings applied once, before the engine's first OpenCV call. On CPUs that are not Intel, OpenCV's bundled
/// IPP re-runs its CPU detection (a CPUID instruction) inside every IPP call, and in a virtual machine each CPUID traps
/// to the hypervisor: one solvePnP (the head pose of every frame) cost ~2.5 ms of it, a fifth of a video's CPU time.
/// There IPP is switched off (OPENCV_IPP=disabled, unless the environment already sets OPENCV_IPP); OpenCV's own SIMD
/// code gives the same results. Intel CPUs keep IPP. Freed native buffers are kept for reuse (see
/// <see cref="KeepFreedNativeBuffers"/>).
/// </summary>
internal static class OpenCvSetup
{
    private static readonly Lazy<bool> IppDisabled = new(DisableIppOffIntel);
    private static readonly Lazy<bool> BuffersKept = new(KeepFreedNativeBuffers);
    private static readonly Lazy<bool> Serial = new(RunOpenCvSerially);

    /// <summary>Applies the settings (idempotent, thread-safe); true when IPP was switched off.</summary>
    public static bool EnsureConfigured()
    {
        _ = BuffersKept.Value;
        // IPP's switch must precede any other OpenCV call: OpenCV reads it when it first initialises.
        var ippDisabled = IppDisabled.Value;
        _ = Serial.Value;
        return ippDisabled;
    }

    /// <summary>Whether OpenCV runs each call on its caller's thread (see <see cref="RunOpenCvSerially"/>).</summary>
    public static bool OpenCvSerial => Serial.Value;

    /// <summary>
    /// The engine already keeps every core busy with its own threads (frames, landmark lanes, AU workers). OpenCV's
    /// thread pool on top only spun: its idle workers poll with sched_yield between the many small calls of a frame
    /// (colour conversion, remaps, the detector), a sixth of a CLNF video's CPU time on two cores. Each OpenCV call now
    /// runs on the thread that makes it. Skipped when the environment sets OpenCV's own thread count (OPENCV_FOR_THREADS_NUM).
    /// </summary>
    private static bool RunOpenCvSerially()
    {
        if (Environment.GetEnvironmentVariable("OPENCV_FOR_THREADS_NUM") is not null) return false;
        Cv2.SetNumThreads(1);
        return true;
    }

    /// <summary>Whether glibc's allocator was told to keep freed native buffers for reuse.</summary>
    public static bool NativeBuffersKept => BuffersKept.Value;

    /// <summary>
    /// OpenCV allocates and frees megabyte buffers for every frame (decoded frames, the detector's blobs and layer
    /// outputs). glibc's defaults hand such buffers back to the kernel (munmap, arena trimming) and fault them in again
    /// on the next frame: ~170 000 page faults and a tenth of the CPU time of a 288-frame video with dlib landmarks.
    /// Allocations below 16 MB now come from the heap and up to 64 MB of free heap stays mapped (peak memory grew by
    /// ~25 MB). Skipped when the environment tunes malloc itself (MALLOC_*_ or GLIBC_TUNABLES).
    /// </summary>
    private static bool KeepFreedNativeBuffers()
    {
        if (!OperatingSystem.IsLinux()) return false;
        var environment = Environment.GetEnvironmentVariables().Keys.Cast<string>();
        if (environment.Any(k => k.StartsWith("MALLOC_", StringComparison.Ordinal) || k == "GLIBC_TUNABLES")) return false;
        if (!GlibcExports.TryGet("mallopt", out var export)) return false;
        var mallopt = Marshal.GetDelegateForFunctionPointer<MallOpt>(export);
        const int TrimThreshold = -1, MmapThreshold = -3;
        return mallopt(TrimThreshold, 64 << 20) == 1 && mallopt(MmapThreshold, 16 << 20) == 1;
    }

    private delegate int MallOpt(int parameter, int value);

    private static bool DisableIppOffIntel()
    {
        if (!OperatingSystem.IsLinux() || !X86Base.IsSupported || IsGenuineIntel()) return false;
        if (Environment.GetEnvironmentVariable("OPENCV_IPP") is not null) return false;
        // OpenCV reads OPENCV_IPP with getenv when it first initialises IPP: the native environment must hold it
        // (Environment.SetEnvironmentVariable does not reach native code on Unix).
        if (!SetNativeEnvironment("OPENCV_IPP", "disabled")) return false;
        // Initialise IPP now, with OpenCV's "IPP was disabled by OPENCV_IPP" warning silenced.
        var level = Cv2.GetLogLevel();
        Cv2.SetLogLevel(LogLevel.ERROR);
        try
        {
            Cv2.SetUseOptimized(Cv2.UseOptimized());
        }
        finally
        {
            Cv2.SetLogLevel(level);
        }
        return true;
    }

    private static bool IsGenuineIntel()
    {
        var (_, ebx, ecx, edx) = X86Base.CpuId(0, 0);
        return ebx == 0x756e6547 && edx == 0x49656e69 && ecx == 0x6c65746e; // "Genu" "ineI" "ntel"
    }

    /// <summary>libc's setenv (without overwriting), found at run time: false when this libc has none.</summary>
    private static unsafe bool SetNativeEnvironment(string name, string value)
    {
        if (!GlibcExports.TryGet("setenv", out var export)) return false;
        var setenv = (delegate* unmanaged<byte*, byte*, int, int>)export;
        fixed (byte* n = System.Text.Encoding.UTF8.GetBytes(name + "\0"))
        fixed (byte* v = System.Text.Encoding.UTF8.GetBytes(value + "\0"))
            return setenv(n, v, 0) == 0;
    }
}
