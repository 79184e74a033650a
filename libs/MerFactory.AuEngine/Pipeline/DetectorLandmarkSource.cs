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

    public void Dispose() => detector.Dispose();
}
