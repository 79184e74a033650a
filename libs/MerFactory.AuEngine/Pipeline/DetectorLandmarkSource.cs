using MerFactory.AuEngine.Detection;
using MerFactory.AuEngine.Landmarks;
using OpenCvSharp;

namespace MerFactory.AuEngine.Pipeline;

/// <summary>
/// The product's landmark source: a face detector (YuNet or Haar) per worker and the shared dlib 68-point ERT model,
/// which always runs on the full-resolution frame.
/// </summary>
public sealed class DetectorLandmarkSource(IFaceDetector detector, ShapePredictor predictor) : ILandmarkSource
{
    public string DetectorName => detector.Name;

    public IReadOnlyList<LocatedFace> Detect(Mat bgrFrame, int frameIndex)
    {
        var faces = detector.Detect(bgrFrame);
        if (faces.Count == 0) return [];

        var result = new List<LocatedFace>(faces.Count);
        foreach (var face in faces)
            result.Add(Landmarks(bgrFrame, new Rect2d(face.Box.X, face.Box.Y, face.Box.Width, face.Box.Height), Math.Clamp(face.Score, 0, 1), face.LandmarkBox));
        return result;
    }

    /// <summary>
    /// Re-runs the landmark model without detection: each face's detected box, moved as far as its landmarks have
    /// moved since that detection (the previous frame's landmarks against those of the detected frame).
    /// </summary>
    public IReadOnlyList<LocatedFace> Follow(Mat bgrFrame, int frameIndex, IReadOnlyList<LocatedFace> previous)
    {
        if (previous.Count == 0 || previous.Any(f => f.LandmarkBox is null || f.LandmarkBoxAnchor is null)) return Detect(bgrFrame, frameIndex);
        return previous.Select(f =>
        {
            var (box, anchor) = (f.LandmarkBox!.Value, f.LandmarkBoxAnchor!.Value);
            var moved = Centroid(f.Landmarks) - anchor;
            var follow = new Rect2f(box.X + moved.X, box.Y + moved.Y, box.Width, box.Height);
            return Landmarks(bgrFrame, f.Box, f.Confidence, box, follow, anchor);
        }).ToList();
    }

    private LocatedFace Landmarks(Mat bgrFrame, Rect2d box, double confidence, Rect2f landmarkBox) =>
        Landmarks(bgrFrame, box, confidence, landmarkBox, landmarkBox, anchor: null);

    /// <param name="landmarkBox">The detected box (kept for later frames).</param>
    /// <param name="startBox">The box the model starts from in this frame.</param>
    /// <param name="anchor">The landmarks' centroid in the detected frame; null when this frame is that frame.</param>
    private LocatedFace Landmarks(Mat bgrFrame, Rect2d box, double confidence, Rect2f landmarkBox, Rect2f startBox, Point2f? anchor)
    {
        Span<Point2f> points = stackalloc Point2f[predictor.PartCount];
        predictor.Predict(bgrFrame, startBox, points);
        var landmarks = new double[2 * points.Length];
        for (var k = 0; k < points.Length; k++)
        {
            landmarks[k] = points[k].X;
            landmarks[k + points.Length] = points[k].Y;
        }
        return new LocatedFace(box, confidence, landmarks) { LandmarkBox = landmarkBox, LandmarkBoxAnchor = anchor ?? Centroid(landmarks) };
    }

    private static Point2f Centroid(double[] landmarks)
    {
        var n = landmarks.Length / 2;
        double x = 0, y = 0;
        for (var k = 0; k < n; k++)
        {
            x += landmarks[k];
            y += landmarks[k + n];
        }
        return new Point2f((float)(x / n), (float)(y / n));
    }

    public void Dispose() => detector.Dispose();
}
