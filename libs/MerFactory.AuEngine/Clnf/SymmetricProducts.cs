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
    /// <summary>h[x·p + y] = h[y·p + x] = left_x · right_y for y ≥ x; rows of <paramref name="rows"/> values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Upper<T>(ReadOnlySpan<T> left, ReadOnlySpan<T> right, int p, int rows, Span<double> h)
        where T : unmanaged, INumber<T>
    {
        var tail = rows / Vector<T>.Count * Vector<T>.Count;
        for (var x = 0; x < p; x++)
        {
            var a = left.Slice(x * rows, rows);
            var av = MemoryMarshal.Cast<T, Vector<T>>(a);
            var y = x;
            for (; y + 3 < p; y += 4)
            {
                var b0 = right.Slice(y * rows, rows);
                var b1 = right.Slice((y + 1) * rows, rows);
                var b2 = right.Slice((y + 2) * rows, rows);
                var b3 = right.Slice((y + 3) * rows, rows);
                var v0 = MemoryMarshal.Cast<T, Vector<T>>(b0);
                var v1 = MemoryMarshal.Cast<T, Vector<T>>(b1);
                var v2 = MemoryMarshal.Cast<T, Vector<T>>(b2);
                var v3 = MemoryMarshal.Cast<T, Vector<T>>(b3);
                Vector<T> s0 = Vector<T>.Zero, s1 = Vector<T>.Zero, s2 = Vector<T>.Zero, s3 = Vector<T>.Zero;
                for (var k = 0; k < av.Length; k++)
                {
                    var v = av[k];
                    s0 += v * v0[k];
                    s1 += v * v1[k];
                    s2 += v * v2[k];
                    s3 += v * v3[k];
                }
                T t0 = Vector.Sum(s0), t1 = Vector.Sum(s1), t2 = Vector.Sum(s2), t3 = Vector.Sum(s3);
                for (var i = tail; i < rows; i++)
                {
                    t0 += a[i] * b0[i];
                    t1 += a[i] * b1[i];
                    t2 += a[i] * b2[i];
                    t3 += a[i] * b3[i];
                }
                Store(h, p, x, y, double.CreateTruncating(t0));
                Store(h, p, x, y + 1, double.CreateTruncating(t1));
                Store(h, p, x, y + 2, double.CreateTruncating(t2));
                Store(h, p, x, y + 3, double.CreateTruncating(t3));
            }
            for (; y < p; y++) Store(h, p, x, y, double.CreateTruncating(Dot(a, right.Slice(y * rows, rows))));
        }
    }

    /// <summary>One pair, summed as the blocked loop sums each of its four.</summary>
    private static T Dot<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b) where T : unmanaged, INumber<T>
    {
        var av = MemoryMarshal.Cast<T, Vector<T>>(a);
        var bv = MemoryMarshal.Cast<T, Vector<T>>(b);
        var s = Vector<T>.Zero;
        for (var k = 0; k < av.Length; k++) s += av[k] * bv[k];
        var t = Vector.Sum(s);
        for (var i = av.Length * Vector<T>.Count; i < a.Length; i++) t += a[i] * b[i];
        return t;
    }

    private static void Store(Span<double> h, int p, int x, int y, double value)
    {
        h[x * p + y] = value;
        h[y * p + x] = value;
    }
}
