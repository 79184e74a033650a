using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using MerFactory.AuEngine.Detection;

namespace MerFactory.AuEngine.Tests;

/// <summary>OpenCV's IPP is switched off through the native environment on x86 Linux CPUs that are not Intel's; OpenCV runs serially.</summary>
public sealed class OpenCvSetupTests
{
    [Fact]
    public void IppIsSwitchedOffInTheNativeEnvironmentExactlyOffIntelUnlessTheUserChose()
    {
        // The managed environment is the process's start-up one on Unix: what the user set, not what setenv added.
        var userChoice = Environment.GetEnvironmentVariable("OPENCV_IPP");
        var expected = OperatingSystem.IsLinux() && X86Base.IsSupported && !IsGenuineIntel() && userChoice is null;

        Assert.Equal(expected, OpenCvSetup.EnsureConfigured());
        Assert.Equal(expected, OpenCvSetup.EnsureConfigured());
        if (OperatingSystem.IsLinux())
            Assert.Equal(expected ? "disabled" : userChoice, NativeVariable("OPENCV_IPP"));
    }

    [Fact]
    public void OpenCvRunsEachCallOnItsCallersThreadUnlessTheUserSetItsThreadCount()
    {
        OpenCvSetup.EnsureConfigured();
        var userChoice = Environment.GetEnvironmentVariable("OPENCV_FOR_THREADS_NUM");

        Assert.Equal(userChoice is null, OpenCvSetup.OpenCvSerial);
        if (userChoice is null) Assert.Equal(1, OpenCvSharp.Cv2.GetNumThreads());
    }

    private static bool IsGenuineIntel()
    {
        var (_, ebx, ecx, edx) = X86Base.CpuId(0, 0);
        Span<int> vendor = [ebx, edx, ecx];
        return System.Text.Encoding.ASCII.GetString(MemoryMarshal.AsBytes(vendor)) == "GenuineIntel";
    }

    private delegate nint GetEnvironment(nint name);

    private static string? NativeVariable(string name)
    {
        var getenv = Marshal.GetDelegateForFunctionPointer<GetEnvironment>(NativeLibrary.GetExport(NativeLibrary.Load("libc.so.6"), "getenv"));
        var utf8 = Marshal.StringToCoTaskMemUTF8(name);
        try
        {
            return Marshal.PtrToStringUTF8(getenv(utf8));
        }
        finally
        {
            Marshal.FreeCoTaskMem(utf8);
        }
    }
}
