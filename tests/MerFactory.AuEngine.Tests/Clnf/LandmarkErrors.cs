namespace MerFactory.AuEngine.Tests.Clnf;

/// <summary>Point errors (pixels) of landmark sets against OpenFace's, pooled over frames.</summary>
internal sealed class LandmarkErrors
{
    private readonly List<double> _errors = [];
    private readonly double[] _byRegion = new double[5];
    private readonly int[] _regionCounts = new int[5];

    public int Frames { get; private set; }

    public void Add(ReadOnlySpan<double> ours, ReadOnlySpan<double> reference)
    {
        Frames++;
        for (var i = 0; i < 68; i++)
        {
            var e = Math.Sqrt(Math.Pow(ours[i] - reference[i], 2) + Math.Pow(ours[i + 68] - reference[i + 68], 2));
            _errors.Add(e);
            var region = i < 17 ? 0 : i < 27 ? 1 : i < 36 ? 2 : i < 48 ? 3 : 4;
            _byRegion[region] += e;
            _regionCounts[region]++;
        }
    }

    public double Median
    {
        get
        {
            var sorted = _errors.Order().ToList();
            return sorted.Count == 0 ? double.NaN : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
        }
    }

    public double Mean => _errors.Count == 0 ? double.NaN : _errors.Average();

    /// <summary>Mean error over the eye points (36–47), where the eye part models refine the main fit.</summary>
    public double EyesMean => R(3);

    public override string ToString() =>
        $"{Frames} frames: median {Median:F3} px, mean {Mean:F3} px (jaw {R(0):F2}, brows {R(1):F2}, nose {R(2):F2}, eyes {R(3):F2}, mouth {R(4):F2})";

    private double R(int k) => _regionCounts[k] == 0 ? double.NaN : _byRegion[k] / _regionCounts[k];
}
