using MerFactory.AuEngine.Detection;
using MerFactory.AuEngine.Landmarks;
using MerFactory.AuEngine.Pipeline;
using MerFactory.Testing;
using OpenCvSharp;
using Xunit.Abstractions;

namespace MerFactory.AuEngine.Tests;

/// <summary>
/// Between detections the dlib landmark model starts from the detected box moved with the face: a face that keeps
/// moving is still found where it is, not where it was when the detector last saw it.
/// </summary>
public sealed class FollowingBoxTests(ITestOutputHelper output)
{
    private const int Step = 12; // pixels the face moves right and down per frame

    [Fact]
    public void A_followed_frame_starts_from_the_detected_box_moved_as_far_as_the_landmarks_have_moved()
    {
        var models = EnginePipelineTests.Models();
        using var source = new DetectorLandmarkSource(FaceDetectorFactory.Create(models, new FaceDetectionOptions { MaxDetectionSide = 320 }),
            ShapePredictor.Load(models.ResolvedLandmarkModelPath));
        using var photo = Cv2.ImRead(SharedData.DataPath("media", "pyfeat", "single_face.jpg"));
        using var frame1 = Shifted(photo, Step);
        using var frame2 = Shifted(photo, 2 * Step);

        var detected = Assert.Single(source.Detect(photo, 0));
        var followed = Assert.Single(source.Follow(frame1, 1, [detected]));
        // The frame right after a detection starts from the detected box itself.
        Assert.Equal(detected.LandmarkBox, followed.LandmarkBox);
        Assert.Equal(detected.LandmarkBoxAnchor, followed.LandmarkBoxAnchor);

        var moving = Assert.Single(source.Follow(frame2, 2, [followed]));
        // The same frame from the detected box where it was (as if the face had not moved since the detection).
        var stale = Assert.Single(source.Follow(frame2, 2, [followed with { LandmarkBoxAnchor = Centroid(followed.Landmarks) }]));
        var truth = Assert.Single(source.Detect(frame2, 2));

        double movingError = MeanDistance(moving.Landmarks, truth.Landmarks), staleError = MeanDistance(stale.Landmarks, truth.Landmarks);
        output.WriteLine($"mean distance to the landmarks detected in frame 2: moving box {movingError:F2} px, box left where detected {staleError:F2} px");
        Assert.True(movingError < 0.5 * staleError, $"moving box {movingError:F2} px, stale box {staleError:F2} px");
        Assert.True(movingError < 2.0, $"moving box {movingError:F2} px");
    }

    private static Mat Shifted(Mat image, int pixels)
    {
        using var transform = Mat.FromPixelData(2, 3, MatType.CV_64FC1, new double[] { 1, 0, pixels, 0, 1, pixels });
        var shifted = new Mat();
        Cv2.WarpAffine(image, shifted, transform, image.Size(), InterpolationFlags.Nearest, BorderTypes.Replicate);
        return shifted;
    }

    private static Point2f Centroid(double[] landmarks)
    {
        var n = landmarks.Length / 2;
        return new Point2f((float)landmarks.Take(n).Average(), (float)landmarks.Skip(n).Average());
    }

    private static double MeanDistance(double[] a, double[] b)
    {
        var n = a.Length / 2;
        return Enumerable.Range(0, n).Average(k => Math.Sqrt((a[k] - b[k]) * (a[k] - b[k]) + (a[k + n] - b[k + n]) * (a[k + n] - b[k + n])));
    }
}
