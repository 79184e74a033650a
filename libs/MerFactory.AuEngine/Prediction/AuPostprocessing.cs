namespace MerFactory.AuEngine.Prediction;

/// <summary>OpenFace's offline post-processing of a whole track (ExtractAllPredictionsOfflineReg/Class).</summary>
public static class AuPostprocessing
{
    /// <summary>
    /// Intensities: subtract the person-specific cutoff quantile (dynamic models with a cutoff), clip to [0, 5],
    /// zero failed frames, then a centred 3-frame moving average (end frames unchanged).
    /// </summary>
    public static double[] Intensity(IReadOnlyList<double> raw, IReadOnlyList<bool> success, double cutoff)
    {
        var n = raw.Count;
        var offset = 0.0;
        if (cutoff != -1)
        {
            var valid = new List<double>();
            for (var i = 0; i < n; i++)
                if (success[i]) valid.Add(raw[i]);
            if (valid.Count > 0)
            {
                valid.Sort();
                offset = valid[(int)(valid.Count * cutoff)];
            }
        }
        var values = new double[n];
        for (var i = 0; i < n; i++) values[i] = success[i] ? Math.Clamp(raw[i] - offset, 0, 5) : 0;
        return MovingAverage(values, 3, threshold: null);
    }

    /// <summary>Presence: centred 7-frame moving average thresholded at 0.5 (end frames keep their raw value).</summary>
    public static double[] Presence(IReadOnlyList<double> raw) => MovingAverage(raw, 7, threshold: 0.5);

    private static double[] MovingAverage(IReadOnlyList<double> source, int window, double? threshold)
    {
        var half = (window - 1) / 2;
        var result = source.ToArray();
        for (var i = half; i < source.Count - half; i++)
        {
            var sum = 0.0;
            for (var w = -half; w <= half; w++) sum += source[i + w];
            sum /= window;
            result[i] = threshold is { } t ? (sum < t ? 0 : 1) : sum;
        }
        return result;
    }
}
