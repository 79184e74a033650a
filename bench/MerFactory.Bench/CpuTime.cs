using System.Runtime.InteropServices;

namespace MerFactory.Bench;

/// <summary>
/// CPU seconds from getrusage: this process, and the child processes it has reaped (with their own reaped children,
/// e.g. a CLI run and its ffmpeg processes). CPU time stays meaningful on a shared, noisy machine where wall time does not.
/// </summary>
internal static class CpuTime
{
    private const int RusageSelf = 0;
    private const int RusageChildren = -1;

    public static double Self => Seconds(RusageSelf);

    public static double ReapedChildren => Seconds(RusageChildren);

    [StructLayout(LayoutKind.Sequential)]
    private struct ResourceUsage
    {
        public long UserSeconds, UserMicroseconds, SystemSeconds, SystemMicroseconds;
        [MarshalAs(UnmanagedType.ByValArray, SizeConst = 14)] public long[] Rest;
    }

    [DllImport("libc", EntryPoint = "getrusage", SetLastError = true)]
    private static extern int GetResourceUsage(int who, out ResourceUsage usage);

    private static double Seconds(int who)
    {
        if (GetResourceUsage(who, out var usage) != 0) throw new InvalidOperationException($"getrusage failed ({Marshal.GetLastPInvokeError()})");
        return usage.UserSeconds + usage.SystemSeconds + (usage.UserMicroseconds + usage.SystemMicroseconds) / 1e6;
    }
}
