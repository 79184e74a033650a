using MerFactory.AuEngine.Detection;
using MerFactory.AuEngine.Landmarks;
using OpenCvSharp;

namespace MerFactory.AuEngine.Pipeline;

/// <summary>
/// The product's landmark source: a face detector (YuNet or Haar) per worker, run on a frame shrunk to at most
/// <paramref name="detectionMaxSide"/> pixels (detection cost grows with pixels; boxes scale back exactly), and the shared
/// dlib 68-point ERT model on the full-resolution frame.
/// </summary>
public sealed class DetectorLandmarkSource(IFaceDetector detector, ShapePredictor predictor, int detectionMaxSide = 0) : ILandmarkSource
{
    public string DetectorName => detector.Name;

    public IReadOnlyList<LocatedFace> Detect(Mat bgrFrame, int frameIndex)
    {
        var longSide = Math.Max(bgrFrame.Cols, bgrFrame.Rows);
        var factor = detectionMaxSide > 0 && longSide > detectionMaxSide ? longSide / (double)detectionMaxSide : 1.0;
        IReadOnlyList<DetectedFace> faces;
        if (factor > 1)
        {
            using var small = new Mat();
            Cv2.Resize(bgrFrame, small, new Size(Math.Round(bgrFrame.Cols / factor), Math.Round(bgrFrame.Rows / factor)), 0, 0, InterpolationFlags.Area);
            faces = detector.Detect(small);
        }
        else
        {
            faces = detector.Detect(bgrFrame);
        }
        if (faces.Count == 0) return [];

        var result = new List<LocatedFace>(faces.Count);
        foreach (var face in faces)
        {
            // The box mapping is a similarity-equivariant function of the detector output, so scaling commutes with it.
            var detected = Scale(face.Box, factor);
            result.Add(Landmarks(bgrFrame, new Rect2d(detected.X, detected.Y, detected.Width, detected.Height), Math.Clamp(face.Score, 0, 1), Scale(face.LandmarkBox, factor)));
        }
        return result;
    }

    /// <summary>Re-runs the landmark model from the previous frame's boxes (no detection).</summary>
    public IReadOnlyList<LocatedFace> Follow(Mat bgrFrame, int frameIndex, IReadOnlyList<LocatedFace> previous)
    {
        if (previous.Count == 0 || previous.Any(f => f.LandmarkBox is null)) return Detect(bgrFrame, frameIndex);
        return previous.Select(f => Landmarks(bgrFrame, f.Box, f.Confidence, f.LandmarkBox!.Value)).ToList();
    }

    private LocatedFace Landmarks(Mat bgrFrame, Rect2d box, double confidence, Rect2f landmarkBox)
    {
        Span<Point2f> points = stackalloc Point2f[predictor.PartCount];
        predictor.Predict(bgrFrame, landmarkBox, points);
        var landmarks = new double[2 * points.Length];
        for (var k = 0; k < points.Length; k++)
        {
            landmarks[k] = points[k].X;
            landmarks[k + points.Length] = points[k].Y;
        }
        return new LocatedFace(box, confidence, landmarks) { LandmarkBox = landmarkBox };
    }

    private static Rect2f Scale(Rect2f r, double f) =>
        f == 1 ? r : new Rect2f((float)(r.X * f), (float)(r.Y * f), (float)(r.Width * f), (float)(r.Height * f));

    public void Dispose() => detector.Dispose();
}
