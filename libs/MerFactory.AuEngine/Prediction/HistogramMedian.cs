using System.Runtime.CompilerServices;
namespace MerFactory.AuEngine.Prediction;

/// <summary>
/// OpenFace's per-dimension running median over a fixed-bin histogram (UpdateRunningMedian), including its
/// quirks: the first call and every call while exactly one sample is counted copy the descriptor itself.
/// The median is recomputed lazily: only when read.
/// </summary>
public sealed class HistogramMedian
{
    private readonly int _dims;
    private readonly int _bins;
    private readonly double _min;
    private readonly double _length;
    private readonly bool _clampNegativeToZero;
    private int[]? _counts;
    private double[]? _median;
    private bool _dirty;

    public HistogramMedian(int dims, int bins, double min, double max, bool clampNegativeToZero)
    {
        _dims = dims;
        _bins = bins;
        _min = min;
        _length = Math.Abs(max - min);
        _clampNegativeToZero = clampNegativeToZero;
    }

    public int Count { get; private set; }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Update(ReadOnlySpan<double> descriptor, bool addToHistogram)
    {
        if (descriptor.Length != _dims) throw new ArgumentException($"descriptor must have {_dims} values", nameof(descriptor));
        if (_counts is null)
        {
            _counts = new int[_dims * _bins];
            _median = descriptor.ToArray();
        }
        if (addToHistogram)
        {
            for (var i = 0; i < _dims; i++)
            {
                var converted = (descriptor[i] - _min) * _bins / _length;
                if (converted > _bins - 1) converted = _bins - 1;
                if (converted < 0) converted = 0;
                _counts[i * _bins + (int)converted]++;
            }
            Count++;
        }
        if (Count == 1)
        {
            descriptor.CopyTo(_median);
            _dirty = false;
            if (_clampNegativeToZero) ClampNegatives(_median!);
        }
        else
        {
            _dirty = true;
        }
    }

    /// <summary>The current median (zeros before the first update).</summary>
    public ReadOnlySpan<double> Median
    {
        get
        {
            if (_median is null) return new double[_dims];
            if (_dirty) Recompute();
            return _median;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Recompute()
    {
        var cutoff = (Count + 1) / 2;
        var binWidth = _length / _bins;
        for (var i = 0; i < _dims; i++)
        {
            var cumulative = 0;
            var row = i * _bins;
            for (var j = 0; j < _bins; j++)
            {
                cumulative += _counts![row + j];
                if (cumulative >= cutoff)
                {
                    _median![i] = _min + j * binWidth + 0.5 * _length / _bins;
                    break;
                }
            }
        }
        if (_clampNegativeToZero) ClampNegatives(_median!);
        _dirty = false;
    }

    private static void ClampNegatives(double[] values)
    {
        for (var i = 0; i < values.Length; i++)
            if (values[i] < 0) values[i] = 0;
    }
}
