using MerFactory.Testing;

namespace MerFactory.Media.Tests;

/// <summary>A JPEG still is probed from its header: the same answer ffprobe gives, and ffprobe whenever the header is unusual.</summary>
public sealed class JpegHeaderProbeTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("merfactory-jpeg-").FullName;

    public static TheoryData<string> SharedJpegs()
    {
        var data = new TheoryData<string>();
        foreach (var folder in new[] { "openface_samples", "dlib_faces", "pyfeat" })
            foreach (var file in Directory.GetFiles(SharedData.DataPath("media", folder), "*.jpg").Order(StringComparer.Ordinal))
                data.Add(Path.Combine(folder, Path.GetFileName(file)));
        return data;
    }

    [Theory]
    [MemberData(nameof(SharedJpegs))]
    public async Task TheHeaderSaysWhatFfprobeSays(string relative)
    {
        var path = SharedData.DataPath("media", relative);
        var media = new FfmpegMediaExtractor();

        var fromHeader = JpegHeaderProbe.TryProbe(path);
        var fromFfprobe = await media.ProbeWithFfprobeAsync(path, CancellationToken.None);

        Assert.NotNull(fromHeader);
        Assert.Equal(fromFfprobe with { Streams = [] }, fromHeader with { Streams = [] });
        Assert.Equal(fromFfprobe.Streams, fromHeader.Streams);
        // The step's own probe takes the header path: no ffprobe process.
        var fresh = new FfmpegMediaExtractor();
        Assert.Equal(fromHeader.Streams, (await fresh.ProbeAsync(path)).Streams);
        Assert.Equal(0, fresh.ProbesRun);
    }

    [Fact]
    public async Task ARotatedTruncatedOrNonJpegStillGoesToFfprobe()
    {
        var original = await File.ReadAllBytesAsync(SharedData.DataPath("media", "pyfeat", "single_face.jpg"));
        Assert.NotNull(JpegHeaderProbe.ReadFrameSize(original));

        // EXIF orientation 6 ("rotate 90°"): whether ffprobe reports a rotation depends on its version, so it is asked.
        var rotated = (byte[])original.Clone();
        var orientation = IndexOfOrientationValue(rotated);
        rotated[orientation + 1] = 6;
        var rotatedPath = Write("rotated.jpg", rotated);
        Assert.Null(JpegHeaderProbe.TryProbe(rotatedPath));
        var media = new FfmpegMediaExtractor();
        var probe = await media.ProbeAsync(rotatedPath);
        Assert.Equal(1, media.ProbesRun);
        Assert.Equal((572, 562), (probe.Width, probe.Height));

        Assert.Null(JpegHeaderProbe.TryProbe(Write("truncated.jpg", original[..600])));
        Assert.Null(JpegHeaderProbe.TryProbe(Write("not-a-jpeg.jpg", "GIF89a........"u8.ToArray())));
        Assert.Null(JpegHeaderProbe.TryProbe(Write("a-jpeg-named.png", original)));
    }

    /// <summary>Offset of the orientation tag's (big-endian SHORT) value in the sample's EXIF block.</summary>
    private static int IndexOfOrientationValue(byte[] jpeg)
    {
        ReadOnlySpan<byte> tag = [0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01];
        var at = jpeg.AsSpan().IndexOf(tag);
        Assert.True(at > 0, "the sample carries an EXIF orientation tag");
        Assert.Equal(1, jpeg[at + 9]);
        return at + 8;
    }

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
