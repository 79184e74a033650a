using OpenCvSharp;

namespace MerFactory.AuEngine.Clnf;

/// <summary>
/// Video tracking as OpenFace's FeatureExtraction does it (DetectLandmarksInVideo): each frame starts from the
/// previous frame's fit (tracking windows after a good frame, the full windows after a bad one); the face detector
/// runs only to initialise, and after a failed frame every <see cref="ReinitialiseEvery"/> failures (or, before any
/// face was found, every 6·ReinitialiseEvery frames). A re-detection that fails too keeps the old track.
/// A fit counts as a face when the model's detection validator accepts it (<see cref="ClnfLandmarkDetector.FitAndValidate"/>):
/// a failed frame is what starts a re-detection.
/// </summary>
public sealed class ClnfTracker(ClnfModel model, int reinitialiseEvery = 4)
{
    private readonly ClnfLandmarkDetector _detector = new(model);
    private readonly ClnfFitState _saved = new(model.Main.Pdm.ModeCount);
    private readonly double[] _savedLandmarks = new double[2 * model.Main.Pdm.PointCount];
    private int _failuresInARow = -1;

    public int ReinitialiseEvery => reinitialiseEvery;
    public bool TrackingInitialised { get; private set; }
    public bool DetectionSuccess { get; private set; }

    /// <summary>Landmarks of the last frame (x0..x67, y0..y67); meaningful when <see cref="DetectionSuccess"/>.</summary>
    public double[] Landmarks => _detector.Landmarks;

    public ClnfFitState State => _detector.State;

    /// <summary>The validator's certainty for the last fit (OpenFace's CSV <c>confidence</c>).</summary>
    public double Certainty => _detector.Certainty;

    /// <summary>
    /// Converts a box in dlib's face-detector convention (what <see cref="Detection.DetectedFace.LandmarkBox"/> holds)
    /// to the box CLNF is initialised from, with OpenFace's own correction for dlib boxes.
    /// </summary>
    public static Rect2d FromDlibBox(Rect2f box) =>
        new(box.X + 0.0389 * box.Width, box.Y + 0.1278 * box.Height, 0.9611 * box.Width, 0.9388 * box.Height);

    /// <summary>Tracks one frame; <paramref name="detectFace"/> gives a CLNF-convention box or null (called only when needed).</summary>
    public bool Track(GrayImage image, Func<Rect2d?> detectFace)
    {
        var initialDetection = !TrackingInitialised;
        if (TrackingInitialised)
        {
            var windows = DetectionSuccess ? model.Parameters.WindowsSmall : model.Parameters.WindowsInit;
            DetectionSuccess = Fit(image, windows);
            _failuresInARow = DetectionSuccess ? -1 : _failuresInARow + 1;
        }

        var detect = (!TrackingInitialised && (_failuresInARow + 1) % (reinitialiseEvery * 6) == 0)
                     || (TrackingInitialised && !DetectionSuccess && reinitialiseEvery > 0 && _failuresInARow % reinitialiseEvery == 0);
        if (detect && detectFace() is { } box)
        {
            TrackingInitialised = true;
            _saved.CopyFrom(_detector.State);
            _detector.Landmarks.CopyTo(_savedLandmarks, 0);
            var previousSuccess = DetectionSuccess;
            _detector.Initialise(box.X, box.Y, box.Width, box.Height);
            var success = Fit(image, model.Parameters.WindowsInit);
            if (!initialDetection && !success)
            {
                _detector.State.CopyFrom(_saved);
                _savedLandmarks.CopyTo(_detector.Landmarks, 0);
                DetectionSuccess = previousSuccess;
                return false;
            }
            DetectionSuccess = success;
            _failuresInARow = -1;
            return success;
        }

        if (!TrackingInitialised) _failuresInARow++;
        if (_failuresInARow > 100) TrackingInitialised = false;
        return DetectionSuccess;
    }

    private bool Fit(GrayImage image, IReadOnlyList<int> windows) => _detector.FitAndValidate(image, windows);
}
