using OpenCvSharp;

namespace MerFactory.AuEngine.Detection;

/// <summary>
/// A face found by a detector.
/// <paramref name="Box"/> is the detector's own box (x, y, width, height in pixels);
/// <paramref name="LandmarkBox"/> is that box mapped to the box dlib's frontal face detector would give
/// (the convention the landmark model was trained with), ready for <see cref="Landmarks.ShapePredictor.Predict(Mat, Rect2f)"/>;
/// <paramref name="KeyPoints"/> are YuNet's five points (right eye, left eye, nose tip, right and left mouth corner, as seen
/// in the image) or empty for detectors that give none.
/// </summary>
public sealed record DetectedFace(Rect2f Box, float Score, IReadOnlyList<Point2f> KeyPoints, Rect2f LandmarkBox)
{
    public float Area => Box.Width * Box.Height;
}

/// <summary>Finds faces in a frame.</summary>
public interface IFaceDetector : IDisposable
{
    /// <summary>Short name for logs and reports, e.g. "YuNet".</summary>
    string Name { get; }

    /// <summary>
    /// Faces in an 8-bit BGR, BGRA or gray image, largest first (ties: left, then top, then score), so the
    /// order is the same on every run. An image without faces, or too small to hold one, gives an empty list.
    /// </summary>
    IReadOnlyList<DetectedFace> Detect(Mat image);
}

/// <summary>Detector settings; bound from configuration section <see cref="SectionName"/>.</summary>
public sealed class FaceDetectionOptions
{
    public const string SectionName = "FaceDetection";

    /// <summary>YuNet: minimum confidence of a face.</summary>
    public float ScoreThreshold { get; set; } = 0.7f;

    /// <summary>YuNet: IoU above which overlapping boxes are suppressed.</summary>
    public float NmsThreshold { get; set; } = 0.3f;

    /// <summary>YuNet: candidates kept before non-maximum suppression.</summary>
    public int TopK { get; set; } = 5000;

    /// <summary>
    /// Frames whose longer side exceeds this are shrunk to it before detection (boxes are scaled back);
    /// 0 = always full resolution. Detection time falls with the pixel count; the smallest findable face grows.
    /// </summary>
    public int MaxDetectionSide { get; set; }

    /// <summary>Faces smaller than this (pixels, width or height) are dropped; the landmark model is unreliable below it.</summary>
    public int MinFaceSize { get; set; } = 20;

    /// <summary>Haar: scale step between pyramid levels.</summary>
    public double HaarScaleFactor { get; set; } = 1.1;

    /// <summary>Haar: neighbouring detections required to keep a face.</summary>
    public int HaarMinNeighbors { get; set; } = 5;

    /// <summary>Box mapping for YuNet; null uses <see cref="LandmarkBoxMapping.YuNet"/>.</summary>
    public LandmarkBoxMapping? YuNetMapping { get; set; }

    /// <summary>Box mapping for the Haar cascade; null uses <see cref="LandmarkBoxMapping.Haar"/>.</summary>
    public LandmarkBoxMapping? HaarMapping { get; set; }
}

internal static class FaceOrder
{
    /// <summary>Largest first; ties broken by position then score so equal inputs always give the same order.</summary>
    public static List<DetectedFace> Sort(List<DetectedFace> faces)
    {
        faces.Sort(static (a, b) =>
        {
            var byArea = b.Area.CompareTo(a.Area);
            if (byArea != 0) return byArea;
            var byX = a.Box.X.CompareTo(b.Box.X);
            if (byX != 0) return byX;
            var byY = a.Box.Y.CompareTo(b.Box.Y);
            return byY != 0 ? byY : b.Score.CompareTo(a.Score);
        });
        return faces;
    }
}
