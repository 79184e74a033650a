using MerFactory.AuEngine.Features;
using MerFactory.Testing;
using OpenCvSharp;

namespace MerFactory.AuEngine.Tests;

public class FhogTests
{
    /// <summary>Reads OpenFace's .hog file: per frame int32 cols, int32 rows, int32 channels, float32 valid, then the values.</summary>
    internal static List<float[]> ReadOpenFaceHog(string path)
    {
        var frames = new List<float[]>();
        using var reader = new BinaryReader(File.OpenRead(path));
        while (reader.BaseStream.Position < reader.BaseStream.Length)
        {
            var cols = reader.ReadInt32();
            var rows = reader.ReadInt32();
            var channels = reader.ReadInt32();
            reader.ReadSingle();
            var values = new float[cols * rows * channels];
            for (var i = 0; i < values.Length; i++) values[i] = reader.ReadSingle();
            frames.Add(values);
        }
        return frames;
    }

    internal static float[] HogOfImage(Mat bgr) => FaceFeatureExtractor.HogOf(bgr);

    [Fact]
    public void Matches_OpenFace_hog_of_its_aligned_faces_within_1e3()
    {
        var reference = ReadOpenFaceHog(SharedData.DataPath("reference", "single_face.hog"));
        Assert.Equal(72, reference.Count);
        var worst = 0.0;
        for (var frame = 1; frame <= reference.Count; frame++)
        {
            using var image = Cv2.ImRead(SharedData.DataPath("reference", "single_face_aligned", $"frame_det_{frame:000000}.bmp"), ImreadModes.Color);
            Assert.Equal(112, image.Rows);
            var ours = HogOfImage(image);
            Assert.Equal(4464, ours.Length);
            var expected = reference[frame - 1];
            for (var i = 0; i < ours.Length; i++) worst = Math.Max(worst, Math.Abs(ours[i] - expected[i]));
        }
        Assert.True(worst < 1e-3, $"max |ours - OpenFace| = {worst:g4}");
        Assert.True(worst < 1e-5, $"expected float-level agreement, max diff {worst:g4}");
    }

    [Fact]
    public void Tiny_image_gives_empty_descriptor()
    {
        Assert.Equal((0, 0), Fhog.OutputSize(16, 16));
        Assert.Empty(Fhog.Extract(new byte[16 * 16 * 3], 16, 16, 48));
    }
}
