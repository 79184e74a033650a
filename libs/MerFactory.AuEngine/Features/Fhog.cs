using System.Runtime.CompilerServices;
namespace MerFactory.AuEngine.Features;

/// <summary>
/// Felzenszwalb HOG (31 features per cell) computed exactly as dlib's <c>extract_fhog_features</c>
/// with filter padding 1: 18 signed + 9 unsigned orientation bins + 4 texture energies per cell.
/// Arithmetic is single precision in the same order as dlib so OpenFace's AU models see the same numbers.
/// </summary>
public static class Fhog
{
    public const int FeaturesPerCell = 31;

    // dlib's (rounded) unit vectors of the 9 orientation bins.
    private static readonly float[] DirX = [1.0000f, 0.9397f, 0.7660f, 0.500f, 0.1736f, -0.1736f, -0.5000f, -0.7660f, -0.9397f];
    private static readonly float[] DirY = [0.0000f, 0.3420f, 0.6428f, 0.8660f, 0.9848f, 0.9848f, 0.8660f, 0.6428f, 0.3420f];

    /// <summary>Number of HOG cells (rows, cols) produced for an image of the given size.</summary>
    public static (int Rows, int Cols) OutputSize(int height, int width, int cellSize = 8)
    {
        var cellsNr = (int)(height / (float)cellSize + 0.5f);
        var cellsNc = (int)(width / (float)cellSize + 0.5f);
        return (Math.Max(cellsNr - 2, 0), Math.Max(cellsNc - 2, 0));
    }

    /// <summary>
    /// Computes the descriptor of an interleaved BGR image (3 bytes a pixel, <paramref name="stride"/> bytes a row),
    /// flattened row-major as [row][col][feature], the order OpenFace feeds its AU models.
    /// </summary>
    public static float[] Extract(ReadOnlySpan<byte> bgr, int width, int height, int stride, int cellSize = 8)
    {
        var (hogNr, hogNc) = OutputSize(height, width, cellSize);
        var result = new float[hogNr * hogNc * FeaturesPerCell];
        if (hogNr == 0 || hogNc == 0) return result;
        Extract(bgr, width, height, stride, result, cellSize);
        return result;
    }

    /// <summary>As <see cref="Extract(ReadOnlySpan{byte},int,int,int,int)"/>, into a caller-owned buffer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Extract(ReadOnlySpan<byte> bgr, int width, int height, int stride, Span<float> output, int cellSize = 8)
    {
        if (bgr.Length < (height - 1) * stride + width * 3)
            throw new ArgumentException("Image buffer is smaller than width/height/stride describe.", nameof(bgr));
        var cellsNr = (int)(height / (float)cellSize + 0.5f);
        var cellsNc = (int)(width / (float)cellSize + 0.5f);
        var hogNr = Math.Max(cellsNr - 2, 0);
        var hogNc = Math.Max(cellsNc - 2, 0);
        if (output.Length < hogNr * hogNc * FeaturesPerCell)
            throw new ArgumentException("Output buffer too small.", nameof(output));
        if (hogNr == 0 || hogNc == 0) return;

        // Histograms carry one padding cell all round, as in dlib.
        var histCols = cellsNc + 2;
        var hist = new float[(cellsNr + 2) * histCols * 18];
        var norm = new float[cellsNr * cellsNc];

        var visibleNr = Math.Min(cellsNr * cellSize, height) - 1;
        var visibleNc = Math.Min(cellsNc * cellSize, width) - 1;

        for (var y = 1; y < visibleNr; y++)
        {
            var yp = (float)((y + 0.5) / cellSize - 0.5);
            var iyp = (int)MathF.Floor(yp);
            var vy0 = yp - iyp;
            var vy1 = (float)(1.0 - vy0);
            var row = bgr.Slice(y * stride);
            var rowUp = bgr.Slice((y - 1) * stride);
            var rowDown = bgr.Slice((y + 1) * stride);

            int x;
            // dlib processes blocks of 8 pixels with SIMD; its channel tie-breaking and its
            // interpolation arithmetic differ slightly from the scalar tail, so both are mirrored.
            for (x = 1; x < visibleNc - 7; x += 8)
            {
                for (var k = 0; k < 8; k++)
                {
                    var xx = x + k;
                    Gradient(row, rowUp, rowDown, xx, simdTieBreak: true, out var gx, out var gy, out var len);
                    var xp = (xx + 0.5f) / cellSize + 0.5f;
                    var ixp = (int)xp;
                    var vx0 = xp - ixp;
                    var vx1 = 1.0f - vx0;
                    var v = MathF.Sqrt(len);
                    var bestO = BestOrientation(gx, gy);
                    vx1 *= v;
                    vx0 *= v;
                    var baseA = ((iyp + 1) * histCols + ixp) * 18 + bestO;
                    var baseB = ((iyp + 2) * histCols + ixp) * 18 + bestO;
                    hist[baseA] += vy1 * vx1;
                    hist[baseB] += vy0 * vx1;
                    hist[baseA + 18] += vy1 * vx0;
                    hist[baseB + 18] += vy0 * vx0;
                }
            }
            for (; x < visibleNc; x++)
            {
                Gradient(row, rowUp, rowDown, x, simdTieBreak: false, out var gx, out var gy, out var len);
                var bestO = BestOrientation(gx, gy);
                var v = MathF.Sqrt(len);
                var xp = (float)((x + 0.5) / cellSize - 0.5);
                var ixp = (int)MathF.Floor(xp);
                var vx0 = xp - ixp;
                var vx1 = (float)(1.0 - vx0);
                var baseA = ((iyp + 1) * histCols + ixp + 1) * 18 + bestO;
                var baseB = ((iyp + 2) * histCols + ixp + 1) * 18 + bestO;
                hist[baseA] += vy1 * vx1 * v;
                hist[baseB] += vy0 * vx1 * v;
                hist[baseA + 18] += vy1 * vx0 * v;
                hist[baseB + 18] += vy0 * vx0 * v;
            }
        }

        for (var r = 0; r < cellsNr; r++)
        {
            for (var c = 0; c < cellsNc; c++)
            {
                var h = ((r + 1) * histCols + c + 1) * 18;
                var e = 0f;
                for (var o = 0; o < 9; o++)
                {
                    var s = hist[h + o] + hist[h + o + 9];
                    e += s * s;
                }
                norm[r * cellsNc + c] = e;
            }
        }

        const float eps = 0.0001f;
        Span<float> nn = stackalloc float[4];
        Span<float> n = stackalloc float[4];
        Span<float> t = stackalloc float[4];
        for (var y = 0; y < hogNr; y++)
        {
            for (var x = 0; x < hogNc; x++)
            {
                float N(int r, int c) => norm[r * cellsNc + c];
                // The four 2x2 blocks that contain cell (y+1, x+1), in dlib's lane order.
                float z0 = N(y + 1, x + 1) + N(y + 1, x + 2) + N(y + 2, x + 1) + N(y + 2, x + 2);
                float z1 = N(y, x + 1) + N(y, x + 2) + N(y + 1, x + 1) + N(y + 1, x + 2);
                float z2 = N(y + 1, x) + N(y + 1, x + 1) + N(y + 2, x) + N(y + 2, x + 1);
                float z3 = N(y, x) + N(y, x + 1) + N(y + 1, x) + N(y + 1, x + 1);
                nn[0] = 0.2f * MathF.Sqrt(z0 + eps);
                nn[1] = 0.2f * MathF.Sqrt(z1 + eps);
                nn[2] = 0.2f * MathF.Sqrt(z2 + eps);
                nn[3] = 0.2f * MathF.Sqrt(z3 + eps);
                for (var k = 0; k < 4; k++) n[k] = 0.1f / nn[k];
                t.Clear();

                var h = ((y + 2) * histCols + x + 2) * 18;
                var outBase = (y * hogNc + x) * FeaturesPerCell;
                for (var o = 0; o < 18; o++)
                {
                    var value = hist[h + o];
                    float h0 = MathF.Min(value, nn[0]) * n[0], h1 = MathF.Min(value, nn[1]) * n[1];
                    float h2 = MathF.Min(value, nn[2]) * n[2], h3 = MathF.Min(value, nn[3]) * n[3];
                    output[outBase + o] = (h0 + h1) + (h2 + h3);
                    t[0] += h0; t[1] += h1; t[2] += h2; t[3] += h3;
                }
                for (var o = 0; o < 9; o++)
                {
                    var value = hist[h + o] + hist[h + o + 9];
                    float h0 = MathF.Min(value, nn[0]) * n[0], h1 = MathF.Min(value, nn[1]) * n[1];
                    float h2 = MathF.Min(value, nn[2]) * n[2], h3 = MathF.Min(value, nn[3]) * n[3];
                    output[outBase + 18 + o] = (h0 + h1) + (h2 + h3);
                }
                const float textureScale = (float)(2 * 0.2357);
                for (var k = 0; k < 4; k++) output[outBase + 27 + k] = t[k] * textureScale;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int BestOrientation(float gx, float gy)
    {
        var bestDot = 0f;
        var bestO = 0;
        for (var o = 0; o < 9; o++)
        {
            var dot = DirX[o] * gx + DirY[o] * gy;
            if (dot > bestDot)
            {
                bestDot = dot;
                bestO = o;
            }
            else if (-dot > bestDot)
            {
                bestDot = -dot;
                bestO = o + 9;
            }
        }
        return bestO;
    }

    /// <summary>Central-difference gradient of the colour channel with the largest magnitude.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Gradient(ReadOnlySpan<byte> row, ReadOnlySpan<byte> up, ReadOnlySpan<byte> down, int x,
        bool simdTieBreak, out float gx, out float gy, out float len)
    {
        var l = (x - 1) * 3;
        var r = (x + 1) * 3;
        var c = x * 3;
        // BGR memory order: blue at +0, green at +1, red at +2.
        int rx = row[r + 2] - row[l + 2], ry = down[c + 2] - up[c + 2];
        int gxg = row[r + 1] - row[l + 1], gyg = down[c + 1] - up[c + 1];
        int bx = row[r] - row[l], by = down[c] - up[c];
        int rl = rx * rx + ry * ry, gl = gxg * gxg + gyg * gyg, bl = bx * bx + by * by;
        int sx, sy, sl;
        if (simdTieBreak)
        {
            // select(rlen > glen, red, green), then select(tlen > blen, t, blue).
            if (rl > gl) { sx = rx; sy = ry; sl = rl; } else { sx = gxg; sy = gyg; sl = gl; }
            if (!(sl > bl)) { sx = bx; sy = by; sl = bl; }
        }
        else
        {
            sx = rx; sy = ry; sl = rl;
            if (gl > sl) { sx = gxg; sy = gyg; sl = gl; }
            if (bl > sl) { sx = bx; sy = by; sl = bl; }
        }
        gx = sx;
        gy = sy;
        len = sl;
    }
}
