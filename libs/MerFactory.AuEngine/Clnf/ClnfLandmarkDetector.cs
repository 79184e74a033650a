namespace MerFactory.AuEngine.Clnf;

/// <summary>
/// Fits OpenFace's CLNF model to one face (CLNF::DetectLandmarks): the main 68-point fit, then each part model
/// (inner face, eyes) started from the main landmarks it shares, refitted, written back, and the main model refitted
/// to the combined landmarks. Keeps the state between frames for tracking. One instance per face track and thread.
/// </summary>
public sealed class ClnfLandmarkDetector
{
    private readonly ClnfModel _model;
    private readonly ClnfFitter _fitter = new();
    private readonly ClnfFitState _main;
    private readonly ClnfFitState[] _parts;
    private readonly ClnfFitter[] _partFitters;
    private readonly double[][] _partPoints;

    public ClnfLandmarkDetector(ClnfModel model)
    {
        _model = model;
        _main = new ClnfFitState(model.Main.Pdm.ModeCount);
        _parts = model.Parts.Select(p => new ClnfFitState(p.Model.Pdm.ModeCount)).ToArray();
        _partFitters = model.Parts.Select(_ => new ClnfFitter()).ToArray();
        _partPoints = model.Parts.Select(p => new double[2 * p.Model.Pdm.PointCount]).ToArray();
        Landmarks = new double[2 * model.Main.Pdm.PointCount];
    }

    /// <summary>The last fitted landmarks, x0..x67, y0..y67.</summary>
    public double[] Landmarks { get; }

    /// <summary>The main model's state (pose and shape) after the last fit.</summary>
    public ClnfFitState State => _main;

    /// <summary>Starts the model on a face box in OpenFace's convention (x, y, width, height) with the given head rotation.</summary>
    public void Initialise(double x, double y, double width, double height, double rx = 0, double ry = 0, double rz = 0)
    {
        Array.Clear(_main.Local);
        _main.Pose = _model.Main.Pdm.PoseFromBox(x, y, width, height, _main.Local, rx, ry, rz);
        foreach (var part in _parts) Array.Clear(part.Local);
    }

    /// <summary>How sure the last <see cref="FitAndValidate"/> is that the landmarks sit on a face (OpenFace's detection_certainty).</summary>
    public double Certainty { get; private set; }

    /// <summary>Mean log-likelihood a fit must reach to count as a face when the model has no detection validator.</summary>
    public const double MinLikelihood = -0.5;

    /// <summary>
    /// One fit, then OpenFace's check of it (CLNF::DetectLandmarks): the model's CNN validator scores the face under the
    /// landmarks and a fit counts as a face above <see cref="DetectionValidator.ValidationBoundary"/>. A model without a
    /// validator falls back to the fit's likelihood (faces tracked in the sample clips score ≥ 0.5, a non-face ≤ −1.6).
    /// </summary>
    public bool FitAndValidate(GrayImage image, IReadOnlyList<int> windows)
    {
        var fitted = Fit(image, windows);
        if (fitted && _model.Validator is { } validator)
        {
            Certainty = validator.Check(image, Landmarks, _main.Pose.Rx, _main.Pose.Ry, _main.Pose.Rz);
            return Certainty > DetectionValidator.ValidationBoundary;
        }
        var success = fitted && _main.Likelihood >= MinLikelihood;
        Certainty = success ? 1 : 0;
        return success;
    }

    /// <summary>One fit from the current state; true when the model could be fitted.</summary>
    public bool Fit(GrayImage image, IReadOnlyList<int> windows)
    {
        var main = _model.Main;
        var success = _fitter.Fit(main, image, _main, windows, _model.Parameters);
        main.Pdm.Shape2D(_main.Local, _main.Pose, Landmarks);
        if (RefineParts(image)) FitMainTo(Landmarks);
        return success;
    }

    /// <summary>
    /// OpenFace's hierarchical refinement: every part starts from the main fit's landmarks (not from another part's
    /// result), the parts are fitted side by side (each with its own fitter), and, when any part was fitted, every part
    /// is written back: a part too coarse for the face writes its PDM projection of the main fit.
    /// </summary>
    private bool RefineParts(GrayImage image)
    {
        var used = new bool[_model.Parts.Count];
        if (used.Length <= 1 || PartLanes == 1)
            for (var k = 0; k < used.Length; k++) used[k] = FitPart(k, image);
        else
            Parallel.For(0, used.Length, k => used[k] = FitPart(k, image));
        var n = _model.Main.Pdm.PointCount;
        if (!used.Contains(true)) return false;
        for (var k = 0; k < used.Length; k++)
        {
            var part = _model.Parts[k];
            var points = _partPoints[k];
            var count = part.Model.Pdm.PointCount;
            foreach (var (mainIndex, partIndex) in part.Mapping)
            {
                Landmarks[mainIndex] = points[partIndex];
                Landmarks[mainIndex + n] = points[partIndex + count];
            }
        }
        return true;
    }

    private static readonly int PartLanes = Math.Min(2, Environment.ProcessorCount);

    /// <summary>Fits part <paramref name="k"/> from the main landmarks into its own points; false when the face is too small for it.</summary>
    private bool FitPart(int k, GrayImage image)
    {
        var n = _model.Main.Pdm.PointCount;
        var part = _model.Parts[k];
        var pdm = part.Model.Pdm;
        var partPoints = _partPoints[k];
        Array.Clear(partPoints);
        foreach (var (mainIndex, partIndex) in part.Mapping)
        {
            partPoints[partIndex] = Landmarks[mainIndex];
            partPoints[partIndex + pdm.PointCount] = Landmarks[mainIndex + n];
        }
        var (pose, local) = pdm.CalcParams(partPoints);
        _parts[k].Pose = pose;
        local.CopyTo(_parts[k].Local, 0);
        // Parts run only on faces large enough for their finest-trained scale (no upsampling).
        var fitted = _main.Pose.Scale > 0.9 * part.Model.Scales[0].PatchScaling;
        if (fitted) _partFitters[k].Fit(part.Model, image, _parts[k], part.Parameters.WindowsInit, part.Parameters);
        pdm.Shape2D(_parts[k].Local, _parts[k].Pose, partPoints);
        return fitted;
    }

    private void FitMainTo(double[] landmarks)
    {
        var pdm = _model.Main.Pdm;
        var (pose, local) = pdm.CalcParams(landmarks);
        _main.Pose = pose;
        local.CopyTo(_main.Local, 0);
        pdm.Shape2D(_main.Local, _main.Pose, Landmarks);
    }
}
