using MerFactory.AuEngine.Detection;
using MerFactory.AuEngine.Pipeline;
using OpenCvSharp;

namespace MerFactory.AuEngine.Clnf;

/// <summary>
/// Landmarks from OpenFace's CLNF: faces found by our detector start the model (box converted to OpenFace's
/// convention); in videos one face is tracked from frame to frame and the detector runs only to (re)initialise.
/// </summary>
public sealed class ClnfLandmarkSource(IFaceDetector detector, ClnfModel model) : IVideoLandmarkTracker
{
    private readonly ClnfLandmarkDetector _still = new(model);
    private ClnfTracker _tracker = new(model);
    private double _trackConfidence;

    public string DetectorName => detector.Name;

    /// <summary>Every detected face, each fitted afresh from its box with the full window sizes.</summary>
    public IReadOnlyList<LocatedFace> Detect(Mat bgrFrame, int frameIndex)
    {
        var faces = detector.Detect(bgrFrame);
        if (faces.Count == 0) return [];
        var image = GrayImage.FromMat(bgrFrame);
        var result = new List<LocatedFace>(faces.Count);
        foreach (var face in faces)
        {
            var box = ClnfTracker.FromDlibBox(face.LandmarkBox);
            _still.Initialise(box.X, box.Y, box.Width, box.Height);
            if (!_still.Fit(image, model.Parameters.WindowsInit) || !ClnfTracker.LooksLikeFace(_still.State)) continue;
            result.Add(Located(_still.Landmarks, Math.Clamp(face.Score, 0, 1)));
        }
        return result;
    }

    /// <summary>Each previous face refitted from its previous landmarks with the tracking windows.</summary>
    public IReadOnlyList<LocatedFace> Follow(Mat bgrFrame, int frameIndex, IReadOnlyList<LocatedFace> previous)
    {
        if (previous.Count == 0) return Detect(bgrFrame, frameIndex);
        var image = GrayImage.FromMat(bgrFrame);
        var result = new List<LocatedFace>(previous.Count);
        foreach (var face in previous)
        {
            var (pose, local) = model.Main.Pdm.CalcParams(face.Landmarks);
            _still.State.Pose = pose;
            local.CopyTo(_still.State.Local, 0);
            if (_still.Fit(image, model.Parameters.WindowsSmall) && ClnfTracker.LooksLikeFace(_still.State)) result.Add(Located(_still.Landmarks, face.Confidence));
        }
        return result;
    }

    public void StartVideo()
    {
        _tracker = new ClnfTracker(model);
        _trackConfidence = 0;
    }

    public IReadOnlyList<LocatedFace> Track(Mat bgrFrame, int frameIndex)
    {
        var image = GrayImage.FromMat(bgrFrame);
        var success = _tracker.Track(image, () =>
        {
            var faces = detector.Detect(bgrFrame);
            if (faces.Count == 0) return null;
            _trackConfidence = Math.Clamp(faces[0].Score, 0, 1);
            return ClnfTracker.FromDlibBox(faces[0].LandmarkBox);
        });
        return success ? [Located(_tracker.Landmarks, _trackConfidence)] : [];
    }

    private static LocatedFace Located(double[] landmarks, double confidence)
    {
        var bounds = Alignment.LandmarkBounds.Of(landmarks);
        return new LocatedFace(new Rect2d(bounds.MinX, bounds.MinY, bounds.Width, bounds.Height), confidence, (double[])landmarks.Clone());
    }

    public void Dispose() => detector.Dispose();
}
