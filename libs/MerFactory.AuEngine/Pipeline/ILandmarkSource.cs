using OpenCvSharp;

namespace MerFactory.AuEngine.Pipeline;

/// <summary>A face found in a frame: its box, a detector confidence in [0, 1] and 68 landmarks (x0..x67, y0..y67).</summary>
public sealed record LocatedFace(Rect2d Box, double Confidence, double[] Landmarks)
{
    public double Area => Box.Width * Box.Height;
}

/// <summary>
/// Finds faces and their 68 iBUG landmarks in a BGR frame. One instance is used by one thread at a time;
/// the engine asks its factory for one instance per worker.
/// </summary>
public interface ILandmarkSource : IDisposable
{
    /// <param name="frameIndex">0-based index of the frame in its video (0 for images).</param>
    IReadOnlyList<LocatedFace> Detect(Mat bgrFrame, int frameIndex);
}
