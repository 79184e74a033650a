using MerFactory.AuEngine.Clnf;
using MerFactory.AuEngine.Detection;
using MerFactory.AuEngine.Landmarks;
using MerFactory.Testing;
using OpenCvSharp;
using Xunit.Abstractions;

namespace MerFactory.AuEngine.Tests.Clnf;

/// <summary>
/// Issue 19, acceptance 1: CLNF tracking from our own face detector against OpenFace's landmarks (frames with
/// success = 1): median point error ≤ 1.0 px and mean ≤ 1.5 px; dlib's landmarks measured beside them. Frames are
/// decoded as the engine decodes them (ffmpeg, the pixels OpenFace saw).
/// </summary>
public sealed class ClnfLandmarkAcceptanceTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("media/pyfeat/single_face.mp4", "single_face_openface2017.csv")]
    [InlineData("media/openface_samples/default.wmv", "default_openface2017.csv")]
    public void Clnf_tracking_matches_OpenFace_landmarks(string video, string referenceName)
    {
        var reference = new ReferenceCsv(SharedData.DataPath("reference", referenceName));
        using var faceDetector = FaceDetectorFactory.Create(EnginePipelineTests.Models(), new FaceDetectionOptions { MaxDetectionSide = 320 });
        var tracker = new ClnfTracker(ClnfTestData.Model);
        var predictor = LandmarksTestData.Predictor;
        var clnf = new LandmarkErrors();
        var dlib = new LandmarkErrors();
        var ourFailures = 0;
        var confidenceGaps = new List<double>();
        var row = -1;
        foreach (var frame in EngineFrames.Read(SharedData.DataPath(video.Split('/'))).Take(reference.Rows.Count))
        {
            row++;
            var faces = new Lazy<IReadOnlyList<DetectedFace>>(() => faceDetector.Detect(frame));
            var success = tracker.Track(GrayImage.FromMat(frame), () => faces.Value.Count > 0 ? ClnfTracker.FromDlibBox(faces.Value[0].LandmarkBox) : null);
            if (reference.Get(row, "success") == 0) continue;
            if (!success) ourFailures++;
            else
            {
                clnf.Add(tracker.Landmarks, reference.Landmarks(row));
                confidenceGaps.Add(Math.Abs(tracker.Certainty - reference.Get(row, "confidence")));
            }
            var box = faces.Value.Count > 0 ? faces.Value[0].LandmarkBox : faceDetector.Detect(frame).FirstOrDefault()?.LandmarkBox;
            if (box is { } b) dlib.Add(ToColumns(predictor.Predict(frame, b)), reference.Landmarks(row));
        }
        output.WriteLine($"{video}: CLNF {clnf}; frames OpenFace tracked that we did not: {ourFailures}; " +
                         $"validator certainty vs OpenFace's confidence: mean |difference| {confidenceGaps.Average():F3}");
        output.WriteLine($"{video}: dlib {dlib}");
        Assert.True(clnf.Median <= 1.0, $"median {clnf.Median:F3} px");
        Assert.True(clnf.Mean <= 1.5, $"mean {clnf.Mean:F3} px");
        // On the frames OpenFace decoded, with its part models each started from the main fit, the fit reproduces
        // OpenFace's to hundredths of a pixel (measured ≤ 0.01 median, 0.017 mean); the AU models notice 0.05 px.
        Assert.True(clnf.Median <= 0.02, $"median {clnf.Median:F3} px: not OpenFace's fit");
        Assert.True(clnf.Mean <= 0.04, $"mean {clnf.Mean:F3} px: not OpenFace's fit");
        // The eye models start from the main fit's landmarks, as OpenFace's do (not from the inner model's refinement):
        // started from the inner model's points they drifted to 0.16-0.22 px here.
        Assert.True(clnf.EyesMean <= 0.1, $"eyes mean {clnf.EyesMean:F3} px");
        Assert.True(ourFailures <= clnf.Frames / 20, $"{ourFailures} frames lost");
        Assert.True(confidenceGaps.Average() < 0.05, $"confidence differs from OpenFace's by {confidenceGaps.Average():F3} on average");
    }

    private static double[] ToColumns(Point2f[] points)
    {
        var result = new double[2 * points.Length];
        for (var i = 0; i < points.Length; i++)
        {
            result[i] = points[i].X;
            result[i + points.Length] = points[i].Y;
        }
        return result;
    }
}
