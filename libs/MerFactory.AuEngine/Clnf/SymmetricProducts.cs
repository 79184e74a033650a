using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MerFactory.AuEngine.Clnf;

/// <summary>
/// The symmetric matrix of dot products between rows (a Gauss-Newton Hessian JᵀWJ from a transposed Jacobian), four
/// columns at a time: each loaded vector of the left row serves four products. Every entry is summed exactly as the
/// plain one-pair dot product sums it (<see cref="CcnfPatchExpert.Dot"/> for floats, LinearAuModel.Dot for doubles:
/// one SIMD accumulator of products, its lanes summed, then the scalar tail), so results are bit-identical to
/// computing the entries one by one.
/// </summary>
internal static class SymmetricProducts
{
    /// <summary>h[x·p + y] = h[y·p + x] = left_x · right_y for y ≥ x; rows of <paramref name="rows"/> floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Upper(ReadOnlySpan<float> left, ReadOnlySpan<float> right, int p, int rows, Span<double> h)
    {
        var width = Vector<float>.Count;
        var vectors = rows / width;
        var tail = vectors * width;
        for (var x = 0; x < p; x++)
        {
            var a = left.Slice(x * rows, rows);
            var av = MemoryMarshal.Cast<float, Vector<float>>(a);
            var y = x;
            for (; y + 3 < p; y += 4)
            {
                var b0 = right.Slice(y * rows, rows);
                var b1 = right.Slice((y + 1) * rows, rows);
                var b2 = right.Slice((y + 2) * rows, rows);
                var b3 = right.Slice((y + 3) * rows, rows);
                var v0 = MemoryMarshal.Cast<float, Vector<float>>(b0);
                var v1 = MemoryMarshal.Cast<float, Vector<float>>(b1);
                var v2 = MemoryMarshal.Cast<float, Vector<float>>(b2);
                var v3 = MemoryMarshal.Cast<float, Vector<float>>(b3);
                Vector<float> s0 = Vector<float>.Zero, s1 = Vector<float>.Zero, s2 = Vector<float>.Zero, s3 = Vector<float>.Zero;
                for (var k = 0; k < vectors; k++)
                {
                    var v = av[k];
                    s0 += v * v0[k];
                    s1 += v * v1[k];
                    s2 += v * v2[k];
                    s3 += v * v3[k];
                }
                float t0 = Vector.Sum(s0), t1 = Vector.Sum(s1), t2 = Vector.Sum(s2), t3 = Vector.Sum(s3);
                for (var i = tail; i < rows; i++)
                {
                    t0 += a[i] * b0[i];
                    t1 += a[i] * b1[i];
                    t2 += a[i] * b2[i];
                    t3 += a[i] * b3[i];
                }
                Store(h, p, x, y, t0);
                Store(h, p, x, y + 1, t1);
                Store(h, p, x, y + 2, t2);
                Store(h, p, x, y + 3, t3);
            }
            for (; y < p; y++) Store(h, p, x, y, CcnfPatchExpert.Dot(a, right.Slice(y * rows, rows)));
        }
    }

    /// <summary>The same in double precision (the AU stage's PDM fit).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Upper(ReadOnlySpan<double> left, ReadOnlySpan<double> right, int p, int rows, Span<double> h)
    {
        var width = Vector<double>.Count;
        var vectors = rows / width;
        var tail = vectors * width;
        for (var x = 0; x < p; x++)
        {
            var a = left.Slice(x * rows, rows);
            var av = MemoryMarshal.Cast<double, Vector<double>>(a);
            var y = x;
            for (; y + 3 < p; y += 4)
            {
                var b0 = right.Slice(y * rows, rows);
                var b1 = right.Slice((y + 1) * rows, rows);
                var b2 = right.Slice((y + 2) * rows, rows);
                var b3 = right.Slice((y + 3) * rows, rows);
                var v0 = MemoryMarshal.Cast<double, Vector<double>>(b0);
                var v1 = MemoryMarshal.Cast<double, Vector<double>>(b1);
                var v2 = MemoryMarshal.Cast<double, Vector<double>>(b2);
                var v3 = MemoryMarshal.Cast<double, Vector<double>>(b3);
                Vector<double> s0 = Vector<double>.Zero, s1 = Vector<double>.Zero, s2 = Vector<double>.Zero, s3 = Vector<double>.Zero;
                for (var k = 0; k < vectors; k++)
                {
                    var v = av[k];
                    s0 += v * v0[k];
                    s1 += v * v1[k];
                    s2 += v * v2[k];
                    s3 += v * v3[k];
                }
                double t0 = Vector.Sum(s0), t1 = Vector.Sum(s1), t2 = Vector.Sum(s2), t3 = Vector.Sum(s3);
                for (var i = tail; i < rows; i++)
                {
                    t0 += a[i] * b0[i];
                    t1 += a[i] * b1[i];
                    t2 += a[i] * b2[i];
                    t3 += a[i] * b3[i];
                }
                Store(h, p, x, y, t0);
                Store(h, p, x, y + 1, t1);
                Store(h, p, x, y + 2, t2);
                Store(h, p, x, y + 3, t3);
            }
            for (; y < p; y++) Store(h, p, x, y, Prediction.LinearAuModel.Dot(a, right.Slice(y * rows, rows)));
        }
    }

    private static void Store(Span<double> h, int p, int x, int y, double value)
    {
        h[x * p + y] = value;
        h[y * p + x] = value;
    }
}
