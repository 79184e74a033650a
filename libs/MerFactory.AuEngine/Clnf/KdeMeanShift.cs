using System.Runtime.CompilerServices;
using System.Collections.Concurrent;

namespace MerFactory.AuEngine.Clnf;

/// <summary>
/// Mean-shift of each landmark over its response map with a Gaussian kernel (KDE), using OpenFace's precomputed
/// kernel table on a 0.1-pixel grid of offsets (the nearest grid point is used, as OpenFace does).
/// </summary>
internal static class KdeMeanShift
{
    private const float Step = 0.1f;

    // Per (window size, kernel coefficient): one kernel per 0.1-pixel offset, each made when first needed. A whole
    // table is up to 110·110 kernels of 121 values (6 MB, 1.5 M exponentials) and a fit reads a few hundred of them.
    private static readonly ConcurrentDictionary<(int Size, float A), float[]?[]> Tables = new();

    private static float[]?[] Table(int size, float a) => Tables.GetOrAdd((size, a), static key =>
    {
        var grid = (int)(key.Size / Step + 0.5f);
        return new float[grid * grid][];
    });

    /// <summary>OpenFace's kernel for the offset at grid point (<paramref name="x"/>, <paramref name="y"/>): exp(a·((y·0.1 − i)² + (x·0.1 − j)²)).</summary>
    private static float[] Kernel(float[]?[] table, int grid, int size, float a, int x, int y)
    {
        ref var slot = ref table[x * grid + y];
        if (slot is { } known) return known;
        var kernel = new float[size * size];
        float dx = x * Step, dy = y * Step;
        var k = 0;
        for (var ii = 0; ii < size; ii++)
        {
            var vx = (dy - ii) * (dy - ii);
            for (var jj = 0; jj < size; jj++)
            {
                var vy = (dx - jj) * (dx - jj);
                kernel[k++] = MathF.Exp(a * (vx + vy));
            }
        }
        // Two threads may make the same kernel: both results are equal, either may stay.
        Volatile.Write(ref slot, kernel);
        return kernel;
    }

    /// <summary>Mean shifts (x in [0, n), y in [n, 2n)) in response-map coordinates; invisible landmarks get 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Compute(float[][] responses, ReadOnlySpan<double> dxs, ReadOnlySpan<double> dys, int size, double sigma,
        bool[] visible, Span<double> shifts)
    {
        var n = visible.Length;
        var a = (float)(-0.5 / (sigma * sigma));
        var table = Table(size, a);
        var grid = (int)(size / Step + 0.5f);
        for (var i = 0; i < n; i++)
        {
            if (!visible[i])
            {
                shifts[i] = 0;
                shifts[i + n] = 0;
                continue;
            }
            var dx = (float)Math.Clamp(dxs[i], 0, size - Step);
            var dy = (float)Math.Clamp(dys[i], 0, size - Step);
            var closestCol = (int)(dy / Step + 0.5f);
            var closestRow = (int)(dx / Step + 0.5f);
            var kernel = Kernel(table, grid, size, a, closestRow, closestCol);
            var response = responses[i];
            float mx = 0, my = 0, sum = 0;
            var k = 0;
            for (var ii = 0; ii < size; ii++)
            for (var jj = 0; jj < size; jj++, k++)
            {
                var v = response[k] * kernel[k];
                sum += v;
                mx += v * jj;
                my += v * ii;
            }
            if (sum <= 0) { shifts[i] = 0; shifts[i + n] = 0; continue; }
            shifts[i] = mx / sum - dx;
            shifts[i + n] = my / sum - dy;
        }
    }
}
