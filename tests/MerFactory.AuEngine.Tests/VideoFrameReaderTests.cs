using System.Diagnostics;
using MerFactory.AuEngine.Pipeline;
using MerFactory.Testing;
using OpenCvSharp;
using Xunit.Abstractions;

namespace MerFactory.AuEngine.Tests;

/// <summary>
/// The engine's video decoding: ffmpeg's frames match OpenCV's in number, size, orientation and (to about a grey level)
/// pixels, so only the colour conversion changes; a missing ffmpeg falls back to OpenCV; a non-video is refused.
/// </summary>
public sealed class VideoFrameReaderTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mf-frames-").FullName;

    [Theory]
    [InlineData("media/pyfeat/single_face.mp4")]
    [InlineData("media/openface_samples/default.wmv")]
    [InlineData("rotated")]
    public void Ffmpeg_frames_are_OpenCVs_frames_with_swscale_colours(string video)
    {
        var path = video == "rotated" ? RotatedCopy() : SharedData.DataPath(video.Split('/'));
        using var ffmpeg = VideoFrameReader.Open(path, new AuEngineOptions());
        using var opencv = VideoFrameReader.Open(path, new AuEngineOptions { VideoDecoder = VideoDecoder.OpenCv });
        Assert.IsType<FfmpegFrameReader>(ffmpeg);
        Assert.IsType<OpenCvFrameReader>(opencv);
        Assert.Equal(opencv.Fps, ffmpeg.Fps);
        using var a = new Mat();
        using var b = new Mat();
        using var diff = new Mat();
        var frames = 0;
        var worst = 0.0;
        while (opencv.Grab())
        {
            Assert.True(ffmpeg.Grab(), $"ffmpeg ended after {frames} frames");
            Assert.True(opencv.Retrieve(a) && ffmpeg.Retrieve(b));
            Assert.Equal((a.Width, a.Height, a.Type()), (b.Width, b.Height, b.Type()));
            Cv2.Absdiff(a, b, diff);
            var mean = Cv2.Mean(diff);
            worst = Math.Max(worst, (mean.Val0 + mean.Val1 + mean.Val2) / 3);
            frames++;
        }
        Assert.False(ffmpeg.Grab(), "ffmpeg gave more frames than OpenCV");
        output.WriteLine($"{video}: {frames} frames {a.Width}x{a.Height}; worst frame mean |ffmpeg − OpenCV| {worst:F2} grey levels");
        Assert.True(frames > 0);
        // A wrong orientation, size or frame order would differ by tens of levels; colour conversion by about one.
        Assert.True(worst < 2.5, $"frames differ by {worst:F2} levels on average");
    }

    /// <summary>OpenCV (and so OpenFace) converts every video as BT.601; ffmpeg alone would follow a BT.709 tag.</summary>
    [Fact]
    public void A_BT709_tag_does_not_change_the_pixels()
    {
        var original = SharedData.DataPath("media", "pyfeat", "single_face.mp4");
        var tagged = Remux(original, "tagged709.mp4", "-bsf:v", "h264_metadata=matrix_coefficients=1:colour_primaries=1:transfer_characteristics=1");
        using var a = VideoFrameReader.Open(original, new AuEngineOptions());
        using var b = VideoFrameReader.Open(tagged, new AuEngineOptions());
        using var frameA = new Mat();
        using var frameB = new Mat();
        using var diff = new Mat();
        var frames = 0;
        while (a.Grab())
        {
            Assert.True(b.Grab() && a.Retrieve(frameA) && b.Retrieve(frameB));
            Cv2.Absdiff(frameA, frameB, diff);
            Assert.Equal(0, Cv2.CountNonZero(diff.Reshape(1)));
            frames++;
        }
        Assert.Equal(72, frames);
    }

    [Fact]
    public void Without_ffmpeg_OpenCV_decodes()
    {
        using var reader = VideoFrameReader.Open(SharedData.DataPath("media", "pyfeat", "single_face.mp4"),
            new AuEngineOptions { FfmpegPath = Path.Combine(_directory, "no-such-ffmpeg") });
        Assert.IsType<OpenCvFrameReader>(reader);
        using var frame = new Mat();
        Assert.True(reader.Grab() && reader.Retrieve(frame));
        Assert.Equal((640, 360), (frame.Width, frame.Height));
    }

    [Fact]
    public void The_pipe_from_ffmpeg_holds_a_whole_frame()
    {
        // 640x360 BGR = 691,200 bytes, over the default 64 KB and within Linux's default pipe-max-size (1 MB).
        using var reader = VideoFrameReader.Open(SharedData.DataPath("media", "pyfeat", "single_face.mp4"), new AuEngineOptions());
        var ffmpeg = Assert.IsType<FfmpegFrameReader>(reader);
        Assert.True(ffmpeg.PipeCapacity >= 640 * 360 * 3, $"pipe holds {ffmpeg.PipeCapacity} bytes");
    }

    [Fact]
    public void A_file_that_is_no_video_is_refused()
    {
        var path = Path.Combine(_directory, "not-a-video.mp4");
        File.WriteAllText(path, "this is text, not a video");
        Assert.Throws<InvalidDataException>(() => VideoFrameReader.Open(path, new AuEngineOptions()));
    }

    /// <summary>single_face.mp4 with a 90° display rotation in its container (pixels untouched).</summary>
    private string RotatedCopy() => Remux(SharedData.DataPath("media", "pyfeat", "single_face.mp4"), "rotated.mp4", "-metadata:s:v", "rotate=90");

    /// <summary>A stream copy of <paramref name="source"/> with changed metadata; the coded pictures stay the same.</summary>
    private string Remux(string source, string name, params string[] options)
    {
        var path = Path.Combine(_directory, name);
        var startInfo = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true };
        foreach (var argument in (string[])["-v", "error", "-nostdin", "-y", "-i", source, "-c", "copy", .. options, path]) startInfo.ArgumentList.Add(argument);
        using var ffmpeg = Process.Start(startInfo)!;
        var errors = ffmpeg.StandardError.ReadToEnd();
        ffmpeg.WaitForExit();
        Assert.True(ffmpeg.ExitCode == 0, errors);
        return path;
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
