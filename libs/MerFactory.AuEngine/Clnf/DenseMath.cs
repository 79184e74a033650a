using System.Runtime.CompilerServices;
using System.Numerics.Tensors;

namespace MerFactory.AuEngine.Clnf;

/// <summary>Small dense linear algebra for the fitter (row-major square matrices).</summary>
internal static class DenseMath
{
    /// <summary>Cholesky factor L (lower triangle, row-major) of a symmetric positive-definite matrix, or false.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool Cholesky(ReadOnlySpan<double> a, int n, Span<double> l)
    {
        // Only the lower triangle is written and read (here and by the substitutions): the upper is left as it was.
        for (var i = 0; i < n; i++)
        {
            var rowI = l.Slice(i * n, n);
            for (var j = 0; j <= i; j++)
            {
                // Row prefixes are contiguous: the inner sum is one SIMD dot product.
                var sum = a[i * n + j] - TensorPrimitives.Dot(rowI[..j], l.Slice(j * n, j));
                if (i == j)
                {
                    if (sum <= 0) return false;
                    rowI[i] = Math.Sqrt(sum);
                }
                else
                {
                    rowI[j] = sum / l[j * n + j];
                }
            }
        }
        return true;
    }

    /// <summary>Solves L·Lᵀ·x = b in place of <paramref name="x"/> (which starts as b).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void CholeskySubstitute(ReadOnlySpan<double> l, int n, Span<double> x)
    {
        for (var i = 0; i < n; i++)
        {
            var sum = x[i];
            for (var k = 0; k < i; k++) sum -= l[i * n + k] * x[k];
            x[i] = sum / l[i * n + i];
        }
        for (var i = n - 1; i >= 0; i--)
        {
            var sum = x[i];
            for (var k = i + 1; k < n; k++) sum -= l[k * n + i] * x[k];
            x[i] = sum / l[i * n + i];
        }
    }

    /// <summary>Solves A·x = b for symmetric positive-definite A; false (x untouched) when A is not.</summary>
    public static bool SolveSpd(ReadOnlySpan<double> a, int n, ReadOnlySpan<double> b, Span<double> x, Span<double> scratch)
    {
        if (!Cholesky(a, n, scratch)) return false;
        b[..n].CopyTo(x);
        CholeskySubstitute(scratch, n, x);
        return true;
    }

    /// <summary>
    /// Inverse of a symmetric positive-definite matrix, or null: A = L·Lᵀ, Y = L⁻¹ by forward substitution on whole rows,
    /// then A⁻¹ = Yᵀ·Y as a sum of row outer products (every inner loop a contiguous SIMD row operation).
    /// </summary>
    public static double[]? InverseSpd(double[] a, int n)
    {
        var l = new double[n * n];
        if (!Cholesky(a, n, l)) return null;
        var y = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            var row = y.AsSpan(i * n, i + 1);
            row[i] = 1;
            for (var k = 0; k < i; k++)
            {
                var lik = l[i * n + k];
                if (lik != 0) TensorPrimitives.MultiplyAdd(y.AsSpan(k * n, k + 1), -lik, row[..(k + 1)], row[..(k + 1)]);
            }
            TensorPrimitives.Multiply(row, 1 / l[i * n + i], row);
        }
        var inverse = new double[n * n];
        for (var k = 0; k < n; k++)
        {
            var yk = y.AsSpan(k * n, k + 1);
            for (var i = 0; i <= k; i++)
            {
                var target = inverse.AsSpan(i * n, k + 1);
                TensorPrimitives.MultiplyAdd(yk, yk[i], target, target);
            }
        }
        return inverse;
    }
}

/// <summary>
/// Gauss-Newton normal equations from a transposed Jacobian, in single precision like OpenFace's (its Jacobians and
/// Hessians are float matrices), with 8-wide SIMD dot products over contiguous rows.
/// </summary>
internal static class NormalEquations
{
    [ThreadStatic] private static float[]? _jt;
    [ThreadStatic] private static float[]? _weighted;
    [ThreadStatic] private static float[]? _residual;

    /// <summary>H = Jᵀ·diag(w)·J and g = Jᵀ·diag(w)·r for Jᵀ given as p rows of length <paramref name="rows"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Build(ReadOnlySpan<double> jt, int p, int rows, ReadOnlySpan<double> weights, ReadOnlySpan<double> residual,
        Span<double> hessian, Span<double> gradient)
    {
        var size = p * rows;
        var j = _jt is { } a && a.Length >= size ? a : _jt = new float[size];
        var wj = _weighted is { } b && b.Length >= size ? b : _weighted = new float[size];
        var r = _residual is { } c && c.Length >= rows ? c : _residual = new float[rows];
        for (var k = 0; k < rows; k++) r[k] = (float)residual[k];
        for (var row = 0; row < p; row++)
        {
            var offset = row * rows;
            for (var k = 0; k < rows; k++)
            {
                var value = (float)jt[offset + k];
                j[offset + k] = value;
                wj[offset + k] = value * (float)weights[k];
            }
            gradient[row] = CcnfPatchExpert.Dot(wj.AsSpan(offset, rows), r.AsSpan(0, rows));
        }
        SymmetricProducts.Upper<float>(wj.AsSpan(0, size), j.AsSpan(0, size), p, rows, hessian);
    }
}
