using System.Collections.Concurrent;
using MerFactory.AuEngine.Alignment;
using MerFactory.AuEngine.Detection;
using MerFactory.AuEngine.Pipeline;
using OpenCvSharp;

namespace MerFactory.AuEngine.Clnf;

/// <summary>
/// Landmarks from OpenFace's CLNF: faces found by our detector start the model (box converted to OpenFace's
/// convention); in videos one face is tracked from frame to frame and the detector runs only to (re)initialise.
/// Every fit is checked by the model's detection validator; its certainty is the face's confidence.
/// </summary>
public sealed class ClnfLandmarkSource(IFaceDetector detector, ClnfModel model) : IVideoLandmarkTracker
{
    private readonly ClnfLandmarkDetector _still = new(model);
    private ClnfTracker _tracker = new(model);
    private GrayImage? _image; // the last frame's pixel buffer, reused (a frame is ~1 MB of floats)
    private readonly ConcurrentBag<float[]> _spareBuffers = []; // buffers of prepared frames already tracked

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
            if (!_still.FitAndValidate(image, model.Parameters.WindowsInit)) continue;
            result.Add(Located(_still.Landmarks, _still.State, _still.Certainty));
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
            if (_still.FitAndValidate(image, model.Parameters.WindowsSmall)) result.Add(Located(_still.Landmarks, _still.State, _still.Certainty));
        }
        return result;
    }

    public void StartVideo()
    {
        _tracker = new ClnfTracker(model);
    }

    public IReadOnlyList<LocatedFace> Track(Mat bgrFrame, int frameIndex) => Track(bgrFrame, frameIndex, null);

    /// <summary>The frame's grey-level copy, made on the decoding thread (its buffer comes back after the frame's fit).</summary>
    public object? Prepare(Mat bgrFrame) => GrayImage.FromMatInto(bgrFrame, _spareBuffers.TryTake(out var buffer) ? buffer : null);

    public IReadOnlyList<LocatedFace> Track(Mat bgrFrame, int frameIndex, object? prepared)
    {
        if (prepared is GrayImage ready)
        {
            try
            {
                return TrackGray(bgrFrame, ready);
            }
            finally
            {
                _spareBuffers.Add(ready.Pixels);
            }
        }
        return TrackGray(bgrFrame, _image = GrayImage.FromMat(bgrFrame, _image));
    }

    private IReadOnlyList<LocatedFace> TrackGray(Mat bgrFrame, GrayImage image)
    {
        var success = _tracker.Track(image, () =>
        {
            var faces = detector.Detect(bgrFrame);
            return faces.Count == 0 ? null : ClnfTracker.FromDlibBox(faces[0].LandmarkBox);
        });
        // The row's confidence is the validator's certainty, as in OpenFace's CSV.
        return success ? [Located(_tracker.Landmarks, _tracker.State, _tracker.Certainty)] : [];
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
