namespace MerFactory.Facs.Peaks;

/// <summary>
/// <c>scipy.signal.find_peaks</c> with its <c>height</c> and <c>distance</c> conditions, with scipy's exact semantics
/// (scipy/signal/_peak_finding.py and _peak_finding_utils.pyx, read and re-implemented):
/// <list type="bullet">
/// <item>a peak is a sample, or a run of equal samples (plateau), whose nearest different neighbours on both sides are
/// strictly smaller; the first and last samples are never peaks; a plateau reports its middle sample, the left one
/// of the two middles for an even width; a plateau touching either end is not a peak;</item>
/// <item><c>height</c>: keep peaks with <c>min ≤ x[peak] ≤ max</c> (either bound optional);</item>
/// <item><c>distance</c> (≥ 1, rounded up to an integer): peaks are visited from highest to lowest and each one still
/// kept removes every other peak closer than <c>distance</c> samples; equally high peaks are visited in the reverse of
/// numpy's argsort order (<see cref="NumpyArgsort"/>), which for up to 16 peaks means the later one first;</item>
/// <item>NaN samples compare false in every test, as in scipy.</item>
/// </list>
/// Conditions are applied in scipy's order: height, then distance. Returned indices are ascending.
/// </summary>
public static class PeakFinder
{
    /// <summary>Finds peaks in <paramref name="x"/>.</summary>
    /// <param name="x">The signal.</param>
    /// <param name="minHeight">scipy's <c>height</c> (or its first element); null = no lower bound.</param>
    /// <param name="distance">scipy's <c>distance</c> in samples; null = no distance condition. Must be ≥ 1.</param>
    /// <param name="maxHeight">The second element of scipy's <c>height=(min, max)</c>; null = no upper bound.</param>
    public static int[] FindPeaks(ReadOnlySpan<double> x, double? minHeight = null, double? distance = null, double? maxHeight = null)
    {
        if (distance is { } d && !(d >= 1)) throw new ArgumentOutOfRangeException(nameof(distance), d, "`distance` must be greater or equal to 1");

        var peaks = LocalMaxima(x);

        if (minHeight is not null || maxHeight is not null)
        {
            var withinHeight = new List<int>(peaks.Count);
            foreach (var p in peaks)
            {
                if ((minHeight is not { } low || low <= x[p]) && (maxHeight is not { } high || x[p] <= high)) withinHeight.Add(p);
            }

            peaks = withinHeight;
        }

        if (distance is { } minDistance && peaks.Count > 1)
        {
            peaks = SelectByDistance(x, peaks, minDistance);
        }

        return [.. peaks];
    }

    /// <summary>Local maxima as scipy's <c>_local_maxima_1d</c> finds them (midpoints, rounded down).</summary>
    public static List<int> LocalMaxima(ReadOnlySpan<double> x)
    {
        var midpoints = new List<int>();
        var last = x.Length - 1; // the last sample cannot be a maximum
        var i = 1;               // nor can the first
        while (i < last)
        {
            if (x[i - 1] < x[i])
            {
                var ahead = i + 1;
                while (ahead < last && x[ahead] == x[i]) ahead++;

                if (x[ahead] < x[i])
                {
                    midpoints.Add((i + ahead - 1) / 2);
                    // Samples up to `ahead` cannot start another maximum.
                    i = ahead;
                }
            }

            i++;
        }

        return midpoints;
    }

    private static List<int> SelectByDistance(ReadOnlySpan<double> x, List<int> peaks, double distance)
    {
        // Peak positions only take whole numbers, so a fractional distance acts as the next integer.
        var minDistance = (long)Math.Ceiling(distance);
        var count = peaks.Count;
        var keep = new bool[count];
        Array.Fill(keep, true);

        // numpy.argsort of the heights, visited backwards: highest first; ties in numpy's order.
        var heights = new double[count];
        for (var k = 0; k < count; k++) heights[k] = x[peaks[k]];
        var order = NumpyArgsort.Argsort(heights);

        for (var i = count - 1; i >= 0; i--)
        {
            var j = order[i];
            if (!keep[j]) continue;

            for (var k = j - 1; k >= 0 && peaks[j] - peaks[k] < minDistance; k--) keep[k] = false;
            for (var k = j + 1; k < count && peaks[k] - peaks[j] < minDistance; k++) keep[k] = false;
        }

        var kept = new List<int>(count);
        for (var k = 0; k < count; k++) if (keep[k]) kept.Add(peaks[k]);
        return kept;
    }
}
