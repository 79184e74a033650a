using MerFactory.AuEngine.Landmarks;
using OpenCvSharp;
using Xunit.Abstractions;

namespace MerFactory.AuEngine.Tests;

/// <summary>Issue 3, acceptance 1: same image + same box must give dlib's own landmarks.</summary>
public sealed class LandmarksAcceptanceTests(ITestOutputHelper output)
{
    [Fact]
    public void Debian_model_has_the_68_point_layout()
    {
        var predictor = LandmarksTestData.Predictor;
        Assert.Equal(68, predictor.PartCount);
        Assert.True(predictor.CascadeCount > 1);
        Assert.True(predictor.TreesPerCascade > 1);
        // The mean shape is normalised to the face box: the jaw spans most of its width.
        var mean = predictor.MeanShape;
        Assert.InRange(mean[2 * 16] - mean[0], 0.6f, 1.2f);
    }

    [Fact]
    public void Landmarks_match_dlib_within_one_pixel_for_at_least_99_percent_of_points()
    {
        var predictor = LandmarksTestData.Predictor;
        int total = 0, withinOne = 0, exact = 0;
        double maxError = 0;
        string worst = "";
        foreach (var group in LandmarksTestData.ReferenceFaces.GroupBy(f => f.Image))
        {
            using var image = Cv2.ImRead(group.First().ImagePath, ImreadModes.Color);
            Assert.False(image.Empty(), $"could not decode {group.Key}");
            foreach (var face in group)
            {
                var points = predictor.Predict(image, face.Box);
                for (var k = 0; k < points.Length; k++)
                {
                    var rounded = ShapePredictor.RoundLikeDlib(points[k]);
                    var error = LandmarksTestData.Distance(rounded, face.Landmarks[k]);
                    total++;
                    if (error <= 1.0) withinOne++;
                    if (error == 0) exact++;
                    if (error > maxError)
                    {
                        maxError = error;
                        worst = $"{face.Image} face {face.Face} point {k}";
                    }
                }
            }
        }

        var percentWithinOne = 100.0 * withinOne / total;
        output.WriteLine($"{total} points in {LandmarksTestData.ReferenceFaces.Count} faces: {percentWithinOne:F2}% within 1 px, " +
                         $"{100.0 * exact / total:F2}% identical, max error {maxError:F2} px ({worst})");
        Assert.Equal(68 * LandmarksTestData.ReferenceFaces.Count, total);
        Assert.True(percentWithinOne >= 99.0, $"only {percentWithinOne:F2}% of points within 1 px of dlib");
    }

    [Fact]
    public void Concurrent_predictions_equal_sequential_ones_and_the_raw_pixel_overload()
    {
        var predictor = LandmarksTestData.Predictor;
        using var image = Cv2.ImRead(LandmarksTestData.FindImage("bald_guys.jpg"), ImreadModes.Color);
        var faces = LandmarksTestData.ReferenceFaces.Where(f => f.Image == "bald_guys.jpg").ToList();
        var sequential = faces.Select(f => predictor.Predict(image, f.Box)).ToList();

        var concurrent = new Point2f[faces.Count][];
        Parallel.For(0, faces.Count, i => concurrent[i] = predictor.Predict(image, faces[i].Box));
        Assert.Equal(sequential, concurrent);

        var pixels = image.AsSpan<byte>().ToArray();
        var fromRaw = new Point2f[predictor.PartCount];
        predictor.Predict(pixels, image.Cols, image.Rows, image.Cols * 3, 3, faces[0].Box, fromRaw);
        Assert.Equal(sequential[0], fromRaw);
    }
}
