using OpenCvSharp;

namespace MerFactory.AuEngine.Pipeline;

/// <summary>A face found in a frame: its box, a detector confidence in [0, 1] and 68 landmarks (x0..x67, y0..y67).</summary>
public sealed record LocatedFace(Rect2d Box, double Confidence, double[] Landmarks)
{
    public double Area => Box.Width * Box.Height;

    /// <summary>The box the landmark model started from, when the source has one (lets a later frame reuse it).</summary>
    public Rect2f? LandmarkBox { get; init; }

    /// <summary>
    /// The centroid of the landmarks found from <see cref="LandmarkBox"/> in the frame it was detected in: a later frame
    /// moves the box by how far the landmarks have moved since (the face's motion between detections).
    /// </summary>
    public Point2f? LandmarkBoxAnchor { get; init; }

    /// <summary>
    /// The 68-point PDM parameters the landmarks are the projection of, when the source fitted OpenFace's PDM itself
    /// (CLNF): the AU stage then uses them as OpenFace does instead of fitting the PDM to the landmarks again.
    /// </summary>
    public PdmFit? ModelFit { get; init; }
}

/// <summary>Global (pose) and local (shape) parameters of OpenFace's 68-point PDM.</summary>
public sealed record PdmFit(Alignment.PdmGlobalParams Global, double[] Local);

/// <summary>
/// Finds faces and their 68 iBUG landmarks in a BGR frame. One instance is used by one thread at a time;
/// the engine asks its factory for one instance per worker.
/// </summary>
public interface ILandmarkSource : IDisposable
{
    /// <param name="frameIndex">0-based index of the frame in its video (0 for images).</param>
    IReadOnlyList<LocatedFace> Detect(Mat bgrFrame, int frameIndex);

    /// <summary>
    /// Landmarks in a frame that closely follows one where <paramref name="previous"/> were found, without running the
    /// face detector again. The default detects afresh.
    /// </summary>
    IReadOnlyList<LocatedFace> Follow(Mat bgrFrame, int frameIndex, IReadOnlyList<LocatedFace> previous) => Detect(bgrFrame, frameIndex);
}

/// <summary>
/// A landmark source that tracks one face through a video, frame by frame in order (each fit starts from the last),
/// as OpenFace's FeatureExtraction does. The engine calls <see cref="StartVideo"/> once, then <see cref="Track"/>
/// for every analysed frame in order from one thread.
/// </summary>
public interface IVideoLandmarkTracker : ILandmarkSource
{
    void StartVideo();

    /// <summary>The tracked face in this frame, or none when tracking failed.</summary>
    IReadOnlyList<LocatedFace> Track(Mat bgrFrame, int frameIndex);

    /// <summary>
    /// The part of a frame's work that does not depend on earlier frames (e.g. its grey-level copy), which the engine
    /// runs on the decoding thread ahead of <see cref="Track(Mat, int, object?)"/> so that it stays off the sequential
    /// path. Called from one thread, in frame order; null when there is nothing to prepare.
    /// </summary>
    object? Prepare(Mat bgrFrame) => null;

    /// <summary><see cref="Track(Mat, int)"/> with what <see cref="Prepare"/> returned for this frame.</summary>
    IReadOnlyList<LocatedFace> Track(Mat bgrFrame, int frameIndex, object? prepared) => Track(bgrFrame, frameIndex);
}
