using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;
using OpenCvSharp;

namespace MerFactory.AuEngine.Pipeline;

/// <summary>Which decoder turns a video's frames into the BGR pixels the AU stages read.</summary>
public enum VideoDecoder
{
    /// <summary>
    /// The ffmpeg program (libswscale's default YUV→BGR conversion), as OpenFace's FeatureExtraction gets frames from
    /// OpenCV's FFmpeg backend. The default: the AU models see the pixels OpenFace saw.
    /// </summary>
    Ffmpeg,

    /// <summary>OpenCV's bundled FFmpeg (OpenCvSharp's VideoCapture): no extra process, colours differ by about one level.</summary>
    OpenCv,
}

/// <summary>The frames of a video in decode order as 8-bit BGR: <see cref="Grab"/> each, <see cref="Retrieve"/> the ones kept.</summary>
internal abstract class VideoFrameReader : IDisposable
{
    /// <summary>Frames per second from the container (0 when unknown).</summary>
    public abstract double Fps { get; }

    /// <summary>Position of the grabbed frame in seconds, for videos without a frame rate.</summary>
    public abstract double PositionSeconds { get; }

    /// <summary>Advances to the next frame; false at the end of the video.</summary>
    public abstract bool Grab();

    /// <summary>The grabbed frame's pixels into <paramref name="frame"/>; false when there are none.</summary>
    public abstract bool Retrieve(Mat frame);

    public abstract void Dispose();

    /// <summary>
    /// Opens <paramref name="path"/>. OpenCV reads the container (is it a video, its frame rate and displayed size); with
    /// <see cref="VideoDecoder.Ffmpeg"/> the pixels then come from the ffmpeg program at that size, or from OpenCV when
    /// ffmpeg cannot be started or the container gives no frame rate.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a readable video.</exception>
    public static VideoFrameReader Open(string path, AuEngineOptions options)
    {
        var capture = new VideoCapture(path);
        if (!capture.IsOpened())
        {
            capture.Dispose();
            throw new InvalidDataException($"{path}: not a readable video");
        }
        var (fps, width, height) = (capture.Fps, capture.FrameWidth, capture.FrameHeight);
        if (options.VideoDecoder != VideoDecoder.Ffmpeg || fps <= 0 || width <= 0 || height <= 0) return new OpenCvFrameReader(capture);
        var ffmpeg = FfmpegFrameReader.TryStart(options.FfmpegPath, path, fps, width, height);
        if (ffmpeg is null) return new OpenCvFrameReader(capture);
        capture.Dispose();
        return ffmpeg;
    }
}

internal sealed class OpenCvFrameReader(VideoCapture capture) : VideoFrameReader
{
    public override double Fps => capture.Fps;
    public override double PositionSeconds => capture.PosMsec / 1000.0;
    public override bool Grab() => capture.Grab();
    public override bool Retrieve(Mat frame) => capture.Retrieve(frame) && !frame.Empty();
    public override void Dispose() => capture.Dispose();
}

/// <summary>
/// Raw BGR frames piped from <c>ffmpeg -i VIDEO -f rawvideo -pix_fmt bgr24</c>: every decoded frame once
/// (<c>-fps_mode passthrough</c>), the first video stream, scaled to the size OpenCV reports (a no-op unless the two
/// disagree, so frames and landmarks always share one pixel grid). The conversion is OpenCV's (an sws context with no
/// colour details): BT.601 whatever matrix the video is tagged with, full range only for full-range (yuvj) frames. Left
/// to itself ffmpeg would follow a BT.709 tag, and most HD videos carry one.
/// </summary>
internal sealed class FfmpegFrameReader : VideoFrameReader
{
    private const int MaxErrorChars = 4096;
    private readonly Process _process;
    private readonly Stream _output;
    private readonly Task<string> _errors;
    private readonly int _frameBytes;
    private readonly int _width;
    private readonly int _height;
    private byte[]? _skipped; // where the bytes of frames grabbed but not retrieved (sampling) are read to
    private bool _pending; // a frame was grabbed: its first byte is read, the rest still waits in the pipe
    private byte _first;
    private bool _ended;
    private int _grabbed;
    private int _framesRead;

    private FfmpegFrameReader(Process process, double fps, int width, int height)
    {
        _process = process;
        _output = process.StandardOutput.BaseStream;
        PipeCapacity = WidenPipe(_output, width * height * 3);
        _errors = ReadErrorsAsync(process.StandardError);
        Fps = fps;
        _width = width;
        _height = height;
        _frameBytes = width * height * 3;
    }

    public override double Fps { get; }
    public override double PositionSeconds => (_grabbed - 1) / Fps;

    /// <summary>The reader, or null when the ffmpeg program cannot be started.</summary>
    public static FfmpegFrameReader? TryStart(string executable, string path, double fps, int width, int height)
    {
        var startInfo = new ProcessStartInfo(executable)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
        };
        string[] arguments = ["-hide_banner", "-nostdin", "-v", "error", "-i", Path.GetFullPath(path), "-map", "0:v:0", "-an", "-sn", "-dn",
            "-fps_mode", "passthrough", "-vf", $"scale={width}:{height}:in_color_matrix=bt601", "-f", "rawvideo", "-pix_fmt", "bgr24", "pipe:1"];
        foreach (var argument in arguments) startInfo.ArgumentList.Add(argument);
        var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception)
        {
            process.Dispose();
            return null;
        }
        return new FfmpegFrameReader(process, fps, width, height);
    }

    /// <summary>
    /// A pipe holds 64 KB by default: ffmpeg would block a dozen times per frame, each time waiting for the reader to
    /// be scheduled on cores the engine keeps busy. Up to a whole frame (at most the system's pipe-max-size) it writes
    /// in one go. Best effort: without it frames still flow, only with more waiting.
    /// </summary>
    /// <returns>The pipe's capacity in bytes afterwards; 0 when it cannot be known.</returns>
    private static unsafe int WidenPipe(Stream pipe, int frameBytes)
    {
        if (pipe is not System.IO.Pipes.PipeStream { SafePipeHandle: var handle } || !Detection.GlibcExports.TryGet("fcntl", out var export)) return 0;
        var fcntl = (delegate* unmanaged<int, int, int, int>)export;
        const int SetPipeSize = 1031, GetPipeSize = 1032; // F_SETPIPE_SZ, F_GETPIPE_SZ
        var fd = (int)handle.DangerousGetHandle();
        _ = fcntl(fd, SetPipeSize, Math.Min(frameBytes, 1 << 20)); // refused above pipe-max-size: the pipe stays as it was
        return Math.Max(0, fcntl(fd, GetPipeSize, 0));
    }

    /// <summary>Bytes the pipe from ffmpeg holds (0 when unknown).</summary>
    internal int PipeCapacity { get; }

    /// <summary>
    /// Takes the next frame, reading only its first byte (so the end of the video is known): <see cref="Retrieve"/>
    /// reads the rest from the pipe straight into the caller's image (no second copy of every frame), and a frame left
    /// unretrieved is read past on the next grab.
    /// </summary>
    public override bool Grab()
    {
        if (_pending && !ReadRest(_skipped ??= new byte[_frameBytes])) return false;
        if (_ended) return false;
        Span<byte> first = stackalloc byte[1];
        if (_output.Read(first) == 0)
        {
            _ended = true;
            return EndOfVideo(0);
        }
        (_first, _pending) = (first[0], true);
        _grabbed++;
        return true;
    }

    /// <summary>The grabbed frame into <paramref name="frame"/> (once per grab); false when there is none.</summary>
    public override unsafe bool Retrieve(Mat frame)
    {
        if (!_pending) return false;
        frame.Create(_height, _width, MatType.CV_8UC3);
        if (!frame.IsContinuous()) throw new ArgumentException("the frame image must be continuous", nameof(frame));
        return ReadRest(new Span<byte>((void*)frame.Data, _frameBytes));
    }

    /// <summary>The grabbed frame's first byte, then the rest from the pipe, into <paramref name="into"/>.</summary>
    private bool ReadRest(Span<byte> into)
    {
        _pending = false;
        into[0] = _first;
        var read = 1;
        while (read < into.Length)
        {
            var n = _output.Read(into[read..]);
            if (n == 0)
            {
                _ended = true;
                return EndOfVideo(read);
            }
            read += n;
        }
        _framesRead++;
        return true;
    }

    /// <summary>The pipe ended: a clean end after at least one frame, or ffmpeg's own error.</summary>
    private bool EndOfVideo(int partialBytes)
    {
        _process.WaitForExit();
        if (_process.ExitCode != 0 && (_framesRead == 0 || partialBytes > 0))
            throw new InvalidDataException($"ffmpeg could not decode the video (exit code {_process.ExitCode}): {LastLine(_errors.GetAwaiter().GetResult())}");
        return false;
    }

    private static async Task<string> ReadErrorsAsync(StreamReader errors)
    {
        // Read to the end so ffmpeg never blocks on a full pipe; keep only the tail for the message.
        var buffer = new char[1024];
        var tail = new System.Text.StringBuilder();
        int n;
        while ((n = await errors.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            tail.Append(buffer, 0, n);
            if (tail.Length > MaxErrorChars) tail.Remove(0, tail.Length - MaxErrorChars);
        }
        return tail.ToString();
    }

    private static string LastLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "no message";

    public override void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }
        _process.Dispose();
    }
}
