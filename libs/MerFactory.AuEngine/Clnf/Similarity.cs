namespace MerFactory.AuEngine.Clnf;

/// <summary>2-D similarity transforms as 2x2 row-major matrices (rotation·scale, no translation).</summary>
internal static class Similarity
{
    /// <summary>
    /// OpenFace's AlignShapesWithScale: both point sets (x.., y..) mean-centred, the scale ratio of their RMS radii
    /// and the least-squares rotation (Kabsch in 2-D, reflections excluded), so that A·src ≈ dst.
    /// </summary>
    public static double[] AlignWithScale(ReadOnlySpan<double> src, ReadOnlySpan<double> dst, int n)
    {
        double msx = 0, msy = 0, mdx = 0, mdy = 0;
        for (var i = 0; i < n; i++)
        {
            msx += src[i];
            msy += src[i + n];
            mdx += dst[i];
            mdy += dst[i + n];
        }
        msx /= n;
        msy /= n;
        mdx /= n;
        mdy /= n;
        double ss = 0, sd = 0, dot = 0, cross = 0;
        for (var i = 0; i < n; i++)
        {
            double x = src[i] - msx, y = src[i + n] - msy, u = dst[i] - mdx, v = dst[i + n] - mdy;
            ss += x * x + y * y;
            sd += u * u + v * v;
            dot += x * u + y * v;
            cross += x * v - y * u;
        }
        var scale = Math.Sqrt(sd / n) / Math.Sqrt(ss / n);
        var angle = Math.Atan2(cross, dot);
        double c = Math.Cos(angle) * scale, s = Math.Sin(angle) * scale;
        return [c, -s, s, c];
    }

    public static double[] Invert(double[] m)
    {
        var det = m[0] * m[3] - m[1] * m[2];
        return [m[3] / det, -m[1] / det, -m[2] / det, m[0] / det];
    }
}
