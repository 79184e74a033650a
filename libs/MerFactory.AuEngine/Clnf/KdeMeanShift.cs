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
    private static readonly ConcurrentDictionary<(int Size, float A), float[]> Tables = new();

    private static float[] Table(int size, float a) => Tables.GetOrAdd((size, a), static key =>
    {
        var (size, a) = key;
        var grid = (int)(size / Step + 0.5f);
        var table = new float[grid * grid * size * size];
        var k = 0;
        for (var x = 0; x < grid; x++)
        {
            var dx = x * Step;
            for (var y = 0; y < grid; y++)
            {
                var dy = y * Step;
                for (var ii = 0; ii < size; ii++)
                {
                    var vx = (dy - ii) * (dy - ii);
                    for (var jj = 0; jj < size; jj++)
                    {
                        var vy = (dx - jj) * (dx - jj);
                        table[k++] = MathF.Exp(a * (vx + vy));
                    }
                }
            }
        }
        return table;
    });

    /// <summary>Mean shifts (x in [0, n), y in [n, 2n)) in response-map coordinates; invisible landmarks get 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Compute(float[][] responses, ReadOnlySpan<double> dxs, ReadOnlySpan<double> dys, int size, double sigma,
        bool[] visible, Span<double> shifts)
    {
        var n = visible.Length;
        var a = (float)(-0.5 / (sigma * sigma));
        var table = Table(size, a);
        var grid = (int)(size / Step + 0.5f);
        var cells = size * size;
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
            var kernel = table.AsSpan((closestRow * grid + closestCol) * cells, cells);
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
