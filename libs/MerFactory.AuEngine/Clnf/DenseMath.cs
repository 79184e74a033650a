namespace MerFactory.AuEngine.Clnf;

/// <summary>Small dense linear algebra for the fitter (row-major square matrices).</summary>
internal static class DenseMath
{
    /// <summary>Cholesky factor L (lower, row-major) of a symmetric positive-definite matrix, or false.</summary>
    public static bool Cholesky(ReadOnlySpan<double> a, int n, Span<double> l)
    {
        l[..(n * n)].Clear();
        for (var i = 0; i < n; i++)
        for (var j = 0; j <= i; j++)
        {
            var sum = a[i * n + j];
            for (var k = 0; k < j; k++) sum -= l[i * n + k] * l[j * n + k];
            if (i == j)
            {
                if (sum <= 0) return false;
                l[i * n + i] = Math.Sqrt(sum);
            }
            else
            {
                l[i * n + j] = sum / l[j * n + j];
            }
        }
        return true;
    }

    /// <summary>Solves L·Lᵀ·x = b in place of <paramref name="x"/> (which starts as b).</summary>
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

    public static double[]? InverseSpd(double[] a, int n)
    {
        var l = new double[n * n];
        if (!Cholesky(a, n, l)) return null;
        var inverse = new double[n * n];
        var column = new double[n];
        for (var c = 0; c < n; c++)
        {
            Array.Clear(column);
            column[c] = 1;
            CholeskySubstitute(l, n, column);
            for (var r = 0; r < n; r++) inverse[r * n + c] = column[r];
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
        for (var x = 0; x < p; x++)
        {
            var wx = wj.AsSpan(x * rows, rows);
            for (var y = x; y < p; y++)
            {
                double value = CcnfPatchExpert.Dot(wx, j.AsSpan(y * rows, rows));
                hessian[x * p + y] = value;
                hessian[y * p + x] = value;
            }
        }
    }
}
