namespace MerFactory.AuEngine.Prediction;

/// <summary>Per-frame AU output of one face track after post-processing, columns ordered as the model set's names.</summary>
public sealed record AuTrackPredictions(double[][] Intensities, double[][] Presence);

/// <summary>
/// Follows one face through a video as OpenFace's FaceAnalyser does offline: running medians of HOG and geometry
/// (updated on odd frame counts, successful frames only), predictions re-based on the final median for the first
/// <see cref="MaxInitFrames"/> successful frames, then cutoff offsets and smoothing.
/// Stores only model scores per frame (x·w), so memory stays small however long the video.
/// </summary>
public sealed class AuTrackAnalyser
{
    public const int MaxInitFrames = 3000;

    private readonly AuModelSet _models;
    private readonly int _hogLength;
    private readonly int _geomLength;
    private readonly HistogramMedian _hogMedian;
    private readonly HistogramMedian _geomMedian;
    private readonly double[] _features;
    private readonly double[] _zeroHog;
    private readonly double[] _zeroGeom;
    private readonly List<FrameScores> _frames = [];
    private int _framesTracking;
    private int _framesSucceeded;

    private readonly record struct FrameScores(bool Success, double[]? Dots, double[]? MedianDots);

    public AuTrackAnalyser(AuModelSet models, int hogLength, int geomLength)
    {
        _models = models;
        _hogLength = hogLength;
        _geomLength = geomLength;
        _hogMedian = new HistogramMedian(hogLength, 1000, -0.005, 1, clampNegativeToZero: true);
        _geomMedian = new HistogramMedian(geomLength, 10000, -60, 60, clampNegativeToZero: false);
        _features = new double[hogLength + geomLength];
        _zeroHog = new double[hogLength];
        _zeroGeom = new double[geomLength];
    }

    public int FrameCount => _frames.Count;

    /// <summary>Adds the next frame of the track; a failed frame (no face) still advances OpenFace's frame counter.</summary>
    public void AddFrame(ReadOnlySpan<float> hog, ReadOnlySpan<double> geometry, bool success)
    {
        _framesTracking++;
        if (success)
        {
            if (hog.Length != _hogLength || geometry.Length != _geomLength)
                throw new ArgumentException($"expected {_hogLength} HOG and {_geomLength} geometry values");
            for (var i = 0; i < _hogLength; i++) _features[i] = hog[i];
            geometry.CopyTo(_features.AsSpan(_hogLength));
            _framesSucceeded++;
        }
        var hogPart = success ? _features.AsSpan(0, _hogLength) : _zeroHog;
        var geomPart = success ? _features.AsSpan(_hogLength, _geomLength) : _zeroGeom;
        if (_framesTracking % 2 == 1)
        {
            _hogMedian.Update(hogPart, success);
            _geomMedian.Update(geomPart, success);
        }

        if (!success)
        {
            _frames.Add(new FrameScores(false, null, null));
            return;
        }

        var dots = new double[_models.Models.Count];
        for (var k = 0; k < dots.Length; k++) dots[k] = LinearAuModel.Dot(_features, _models.Models[k].Weights);
        // Beyond the initial frames OpenFace keeps the prediction made with the median of the moment.
        var medianDots = _framesSucceeded - 1 < MaxInitFrames ? null : MedianDots();
        _frames.Add(new FrameScores(true, dots, medianDots));
    }

    private double[] MedianDots()
    {
        var median = new double[_hogLength + _geomLength];
        _hogMedian.Median.CopyTo(median);
        _geomMedian.Median.CopyTo(median.AsSpan(_hogLength));
        var result = new double[_models.Models.Count];
        for (var k = 0; k < result.Length; k++)
            if (_models.Models[k].IsDynamic) result[k] = LinearAuModel.Dot(median, _models.Models[k].Weights);
        return result;
    }

    /// <summary>Raw (not post-processed) outputs of every model for every frame; failed frames give 0.</summary>
    public double[][] RawPredictions()
    {
        var finalMedianDots = MedianDots();
        var raw = new double[_models.Models.Count][];
        for (var k = 0; k < raw.Length; k++) raw[k] = new double[_frames.Count];
        for (var f = 0; f < _frames.Count; f++)
        {
            var frame = _frames[f];
            if (!frame.Success) continue;
            var medianDots = frame.MedianDots ?? finalMedianDots;
            for (var k = 0; k < raw.Length; k++) raw[k][f] = _models.Models[k].Predict(frame.Dots![k], medianDots[k]);
        }
        return raw;
    }

    /// <summary>Post-processed intensities and presences for every frame added so far.</summary>
    public AuTrackPredictions Finish()
    {
        var raw = RawPredictions();
        var success = _frames.Select(f => f.Success).ToArray();
        var intensityColumns = _models.IntensityModelIndex
            .Select(k => AuPostprocessing.Intensity(raw[k], success, _models.Models[k].IsDynamic ? _models.Models[k].Cutoff : -1))
            .ToArray();
        var presenceColumns = _models.PresenceModelIndex.Select(k => AuPostprocessing.Presence(raw[k])).ToArray();
        var intensities = new double[_frames.Count][];
        var presence = new double[_frames.Count][];
        for (var f = 0; f < _frames.Count; f++)
        {
            intensities[f] = intensityColumns.Select(c => c[f]).ToArray();
            presence[f] = presenceColumns.Select(c => c[f]).ToArray();
        }
        return new AuTrackPredictions(intensities, presence);
    }

    /// <summary>Single-image prediction with static models: intensities clipped to [0, 5], presence as classified.</summary>
    public static (double[] Intensities, double[] Presence) PredictStatic(AuModelSet models, ReadOnlySpan<float> hog, ReadOnlySpan<double> geometry)
    {
        var features = new double[hog.Length + geometry.Length];
        for (var i = 0; i < hog.Length; i++) features[i] = hog[i];
        geometry.CopyTo(features.AsSpan(hog.Length));
        double Output(int k) => models.Models[k].Predict(LinearAuModel.Dot(features, models.Models[k].Weights), 0);
        var intensities = models.IntensityModelIndex.Select(k => Math.Clamp(Output(k), 0, 5)).ToArray();
        var presence = models.PresenceModelIndex.Select(Output).ToArray();
        return (intensities, presence);
    }
}
