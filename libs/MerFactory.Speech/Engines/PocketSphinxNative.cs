using System.Runtime.InteropServices;

namespace MerFactory.Speech.Engines;

/// <summary>
/// P/Invoke into Debian's libpocketsphinx 5prealpha (libpocketsphinx3). In-process decoding keeps the models loaded
/// between jobs, which is what makes it faster than starting the CLI per file.
/// </summary>
internal static unsafe partial class PocketSphinxNative
{
    internal const string PocketSphinxLibrary = "libpocketsphinx.so.3";
    internal const string SphinxBaseLibrary = "libsphinxbase.so.3";

    [LibraryImport(PocketSphinxLibrary)]
    internal static partial IntPtr ps_args();

    [LibraryImport(SphinxBaseLibrary)]
    internal static partial IntPtr cmd_ln_parse_r(IntPtr inoutConfig, IntPtr definitions, int argc, IntPtr* argv, int strict);

    [LibraryImport(SphinxBaseLibrary)]
    internal static partial int cmd_ln_free_r(IntPtr config);

    [LibraryImport(PocketSphinxLibrary)]
    internal static partial IntPtr ps_init(IntPtr config);

    [LibraryImport(PocketSphinxLibrary)]
    internal static partial int ps_free(IntPtr decoder);

    [LibraryImport(PocketSphinxLibrary)]
    internal static partial int ps_start_utt(IntPtr decoder);

    [LibraryImport(PocketSphinxLibrary)]
    internal static partial int ps_process_raw(IntPtr decoder, short* data, nuint sampleCount, int noSearch, int fullUtterance);

    [LibraryImport(PocketSphinxLibrary)]
    internal static partial int ps_end_utt(IntPtr decoder);

    [LibraryImport(PocketSphinxLibrary)]
    internal static partial IntPtr ps_get_hyp(IntPtr decoder, int* bestScore);

    // Older headers declare a second out_best_score argument; passing a valid pointer is harmless for the
    // one-argument 5prealpha signature (extra register argument) and required for the two-argument one.
    [LibraryImport(PocketSphinxLibrary)]
    internal static partial IntPtr ps_seg_iter(IntPtr decoder, int* bestScore);

    [LibraryImport(PocketSphinxLibrary)]
    internal static partial IntPtr ps_seg_next(IntPtr segment);

    [LibraryImport(PocketSphinxLibrary)]
    internal static partial IntPtr ps_seg_word(IntPtr segment);

    [LibraryImport(PocketSphinxLibrary)]
    internal static partial void ps_seg_frames(IntPtr segment, int* startFrame, int* endFrame);

    [LibraryImport(PocketSphinxLibrary)]
    internal static partial int ps_seg_prob(IntPtr segment, int* acousticScore, int* languageScore, int* languageBackoff);

    [LibraryImport(PocketSphinxLibrary)]
    internal static partial void ps_seg_free(IntPtr segment);

    [LibraryImport(PocketSphinxLibrary)]
    internal static partial IntPtr ps_get_logmath(IntPtr decoder);

    [LibraryImport(SphinxBaseLibrary)]
    internal static partial double logmath_exp(IntPtr logmath, int logValue);

    /// <summary>
    /// Builds a decoder configuration from command-line style arguments (argv[0] is a program name). The UTF-8
    /// argument strings are returned to the caller, who frees them only after the decoder is freed: some sphinxbase
    /// builds keep pointers into argv as hash keys.
    /// </summary>
    internal static IntPtr ParseConfig(IReadOnlyList<string> arguments, out IntPtr[] argumentMemory)
    {
        argumentMemory = new IntPtr[arguments.Count + 1];
        argumentMemory[0] = Marshal.StringToCoTaskMemUTF8("merfactory");
        for (var i = 0; i < arguments.Count; i++) argumentMemory[i + 1] = Marshal.StringToCoTaskMemUTF8(arguments[i]);
        fixed (IntPtr* pointer = argumentMemory)
        {
            return cmd_ln_parse_r(IntPtr.Zero, ps_args(), argumentMemory.Length, pointer, 1);
        }
    }

    internal static void FreeArguments(IntPtr[] argumentMemory)
    {
        foreach (var pointer in argumentMemory) Marshal.FreeCoTaskMem(pointer);
    }
}
