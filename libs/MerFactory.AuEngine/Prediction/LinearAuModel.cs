using System.Runtime.CompilerServices;
using MerFactory.AuEngine.Models;
namespace MerFactory.AuEngine.Prediction;

/// <summary>OpenFace's regressor kinds (the int32 at the start of each .dat file).</summary>
public enum AuModelKind
{
    StaticIntensity = 0,
    DynamicIntensity = 1,
    StaticPresence = 4,
    DynamicPresence = 5,
}

/// <summary>
/// One linear OpenFace AU model: y = (x − means [− person median])·w + b; presence models output
/// <see cref="PositiveClass"/> when y &gt; 0, else <see cref="NegativeClass"/>.
/// </summary>
public sealed class LinearAuModel
{
    public required string AuName { get; init; }
    public required AuModelKind Kind { get; init; }
    /// <summary>Quantile of a person's predictions subtracted offline (dynamic intensity only); −1 = none.</summary>
    public double Cutoff { get; init; } = -1;
    public required double[] Means { get; init; }
    public required double[] Weights { get; init; }
    public required double Bias { get; init; }
    public double PositiveClass { get; init; } = 1;
    public double NegativeClass { get; init; }

    public bool IsDynamic => Kind is AuModelKind.DynamicIntensity or AuModelKind.DynamicPresence;
    public bool IsPresence => Kind is AuModelKind.StaticPresence or AuModelKind.DynamicPresence;

    private double? _meansDotWeights;

    /// <summary>means·w, cached: predictions are computed from x·w so they can be re-based on a later median.</summary>
    public double MeansDotWeights => _meansDotWeights ??= Dot(Means, Weights);

    /// <summary>Raw linear score from x·w and (dynamic models) median·w.</summary>
    public double Score(double featureDotWeights, double medianDotWeights) =>
        featureDotWeights - MeansDotWeights - (IsDynamic ? medianDotWeights : 0) + Bias;

    /// <summary>Model output: the intensity score, or the class label for presence models.</summary>
    public double Predict(double featureDotWeights, double medianDotWeights)
    {
        var score = Score(featureDotWeights, medianDotWeights);
        return IsPresence ? (score > 0 ? PositiveClass : NegativeClass) : score;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var width = System.Numerics.Vector<double>.Count;
        var acc = System.Numerics.Vector<double>.Zero;
        var i = 0;
        for (; i <= a.Length - width; i += width)
            acc += new System.Numerics.Vector<double>(a.Slice(i, width)) * new System.Numerics.Vector<double>(b.Slice(i, width));
        var sum = System.Numerics.Vector.Sum(acc);
        for (; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }

    /// <summary>Reads one binary OpenFace regressor (.dat; layout in shared/reference/au-pipeline.md §1.3).</summary>
    public static LinearAuModel Read(string path, string auName, int expectedFeatureLength)
    {
        if (!File.Exists(path)) throw new ModelNotFoundException("OpenFace model file", path);
        try
        {
            using var stream = File.OpenRead(path);
            using var reader = new BinaryReader(stream);
            var kindValue = reader.ReadInt32();
            if (!Enum.IsDefined(typeof(AuModelKind), kindValue)) throw new CorruptModelException(path, $"unknown regressor type {kindValue}");
            var kind = (AuModelKind)kindValue;
            var cutoff = kind == AuModelKind.DynamicIntensity ? reader.ReadDouble() : -1;
            var means = ReadMatrix(reader, path, 1, expectedFeatureLength);
            var weights = ReadMatrix(reader, path, expectedFeatureLength, 1);
            var bias = reader.ReadDouble();
            double pos = 1, neg = 0;
            if (kind is AuModelKind.StaticPresence or AuModelKind.DynamicPresence)
            {
                pos = reader.ReadDouble();
                neg = reader.ReadDouble();
            }
            if (stream.Position != stream.Length)
                throw new CorruptModelException(path, $"{stream.Length - stream.Position} unexpected trailing bytes");
            if (!double.IsFinite(bias) || means.Any(v => !double.IsFinite(v)) || weights.Any(v => !double.IsFinite(v)))
                throw new CorruptModelException(path, "non-finite values");
            return new LinearAuModel
            {
                AuName = auName, Kind = kind, Cutoff = cutoff, Means = means, Weights = weights, Bias = bias,
                PositiveClass = pos, NegativeClass = neg,
            };
        }
        catch (EndOfStreamException e)
        {
            throw new CorruptModelException(path, "truncated", e);
        }
    }

    private static double[] ReadMatrix(BinaryReader reader, string path, int rows, int cols)
    {
        var r = reader.ReadInt32();
        var c = reader.ReadInt32();
        var type = reader.ReadInt32();
        if (type != 6) throw new CorruptModelException(path, $"matrix type {type}, expected 6 (CV_64F)");
        if (r != rows || c != cols) throw new CorruptModelException(path, $"matrix is {r}x{c}, expected {rows}x{cols}");
        var values = new double[rows * cols];
        var bytes = reader.ReadBytes(values.Length * 8);
        if (bytes.Length != values.Length * 8) throw new EndOfStreamException();
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }
}
