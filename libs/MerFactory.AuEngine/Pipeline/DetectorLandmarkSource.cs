using MerFactory.AuEngine.Detection;
using MerFactory.AuEngine.Landmarks;
using OpenCvSharp;

namespace MerFactory.AuEngine.Pipeline;

/// <summary>The product's landmark source: a face detector (YuNet or Haar) per worker and the shared dlib 68-point ERT model.</summary>
public sealed class DetectorLandmarkSource(IFaceDetector detector, ShapePredictor predictor) : ILandmarkSource
{
    public string DetectorName => detector.Name;

    public IReadOnlyList<LocatedFace> Detect(Mat bgrFrame, int frameIndex)
    {
        var faces = detector.Detect(bgrFrame);
        if (faces.Count == 0) return [];
        var result = new List<LocatedFace>(faces.Count);
        Span<Point2f> points = stackalloc Point2f[predictor.PartCount];
        foreach (var face in faces)
        {
            predictor.Predict(bgrFrame, face.LandmarkBox, points);
            var landmarks = new double[2 * points.Length];
            for (var k = 0; k < points.Length; k++)
            {
                landmarks[k] = points[k].X;
                landmarks[k + points.Length] = points[k].Y;
            }
            result.Add(new LocatedFace(new Rect2d(face.Box.X, face.Box.Y, face.Box.Width, face.Box.Height), Math.Clamp(face.Score, 0, 1), landmarks));
        }
        return result;
    }

    public void Dispose() => detector.Dispose();
}
