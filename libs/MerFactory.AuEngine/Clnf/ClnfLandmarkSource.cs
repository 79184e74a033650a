using MerFactory.AuEngine.Alignment;
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
    private GrayImage? _image; // the last frame's pixel buffer, reused (a frame is ~1 MB of floats)

    public string DetectorName => detector.Name;

    /// <summary>Every detected face, each fitted afresh from its box with the full window sizes.</summary>
    public IReadOnlyList<LocatedFace> Detect(Mat bgrFrame, int frameIndex)
    {
        var faces = detector.Detect(bgrFrame);
        if (faces.Count == 0) return [];
        var image = _image = GrayImage.FromMat(bgrFrame, _image);
        var result = new List<LocatedFace>(faces.Count);
        foreach (var face in faces)
        {
            var box = ClnfTracker.FromDlibBox(face.LandmarkBox);
            _still.Initialise(box.X, box.Y, box.Width, box.Height);
            if (!_still.Fit(image, model.Parameters.WindowsInit) || !ClnfTracker.LooksLikeFace(_still.State)) continue;
            result.Add(Located(_still.Landmarks, _still.State, Math.Clamp(face.Score, 0, 1)));
        }
        return result;
    }

    /// <summary>Each previous face refitted from its previous landmarks with the tracking windows.</summary>
    public IReadOnlyList<LocatedFace> Follow(Mat bgrFrame, int frameIndex, IReadOnlyList<LocatedFace> previous)
    {
        if (previous.Count == 0) return Detect(bgrFrame, frameIndex);
        var image = _image = GrayImage.FromMat(bgrFrame, _image);
        var result = new List<LocatedFace>(previous.Count);
        foreach (var face in previous)
        {
            var (pose, local) = model.Main.Pdm.CalcParams(face.Landmarks);
            _still.State.Pose = pose;
            local.CopyTo(_still.State.Local, 0);
            if (_still.Fit(image, model.Parameters.WindowsSmall) && ClnfTracker.LooksLikeFace(_still.State)) result.Add(Located(_still.Landmarks, _still.State, face.Confidence));
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
        var image = _image = GrayImage.FromMat(bgrFrame, _image);
        var success = _tracker.Track(image, () =>
        {
            var faces = detector.Detect(bgrFrame);
            if (faces.Count == 0) return null;
            _trackConfidence = Math.Clamp(faces[0].Score, 0, 1);
            return ClnfTracker.FromDlibBox(faces[0].LandmarkBox);
        });
        return success ? [Located(_tracker.Landmarks, _tracker.State, _trackConfidence)] : [];
    }

    /// <summary>The face with the fit's own PDM parameters, so the AU stage need not fit the same model to the landmarks again.</summary>
    private static LocatedFace Located(double[] landmarks, ClnfFitState state, double confidence)
    {
        var bounds = Alignment.LandmarkBounds.Of(landmarks);
        var pose = state.Pose;
        return new LocatedFace(new Rect2d(bounds.MinX, bounds.MinY, bounds.Width, bounds.Height), confidence, (double[])landmarks.Clone())
        {
            ModelFit = new PdmFit(new PdmGlobalParams(pose.Scale, pose.Rx, pose.Ry, pose.Rz, pose.Tx, pose.Ty), (double[])state.Local.Clone()),
        };
    }

    public void Dispose() => detector.Dispose();
}
