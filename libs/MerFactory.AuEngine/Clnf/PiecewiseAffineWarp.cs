using System.Runtime.CompilerServices;
using MerFactory.AuEngine.Models;

namespace MerFactory.AuEngine.Clnf;

/// <summary>
/// OpenFace's piece-wise affine warp (PAW) as the detection validator stores it: a reference shape triangulated, and
/// for every pixel of a small reference frame (origin <see cref="MinX"/>, <see cref="MinY"/>) the triangle it lies in.
/// Warping maps each triangle of a fitted shape onto its reference triangle, so the face always lands on the same pixels.
/// </summary>
public sealed class PiecewiseAffineWarp
{
    private readonly int[] _triangles;   // t·3 landmark indices
    private readonly float[] _alpha;     // t·3, barycentric coefficients of the reference triangles
    private readonly float[] _beta;      // t·3
    private readonly int[] _triangleOf;  // Height·Width, −1 outside the face

    private PiecewiseAffineWarp(int pixelCount, float minX, float minY, int width, int height, int[] triangles, float[] alpha, float[] beta, int[] triangleOf)
    {
        PixelCount = pixelCount;
        MinX = minX;
        MinY = minY;
        Width = width;
        Height = height;
        _triangles = triangles;
        _alpha = alpha;
        _beta = beta;
        _triangleOf = triangleOf;
    }

    /// <summary>Pixels inside the face mask.</summary>
    public int PixelCount { get; }
    public float MinX { get; }
    public float MinY { get; }
    public int Width { get; }
    public int Height { get; }

    public bool InMask(int x, int y) => _triangleOf[y * Width + x] >= 0;

    /// <summary>
    /// Warps <paramref name="image"/> onto the reference frame (row-major, <see cref="Height"/> × <see cref="Width"/>)
    /// using <paramref name="landmarks"/> (x0..xn, y0..yn): each masked pixel is sampled bilinearly where its triangle's
    /// affine map sends it, as OpenFace's remap does; pixels outside the mask stay 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public float[] Warp(GrayImage image, ReadOnlySpan<double> landmarks)
    {
        var points = landmarks.Length / 2;
        var triangleCount = _triangles.Length / 3;
        Span<double> coefficients = stackalloc double[6 * triangleCount];
        for (var t = 0; t < triangleCount; t++)
        {
            int i = _triangles[3 * t], j = _triangles[3 * t + 1], k = _triangles[3 * t + 2];
            double c1 = landmarks[i], c2 = landmarks[j] - c1, c3 = landmarks[k] - c1;
            double c4 = landmarks[i + points], c5 = landmarks[j + points] - c4, c6 = landmarks[k + points] - c4;
            var c = coefficients.Slice(6 * t, 6);
            c[0] = c1 + c2 * _alpha[3 * t] + c3 * _beta[3 * t];
            c[1] = c2 * _alpha[3 * t + 1] + c3 * _beta[3 * t + 1];
            c[2] = c2 * _alpha[3 * t + 2] + c3 * _beta[3 * t + 2];
            c[3] = c4 + c5 * _alpha[3 * t] + c6 * _beta[3 * t];
            c[4] = c5 * _alpha[3 * t + 1] + c6 * _beta[3 * t + 1];
            c[5] = c5 * _alpha[3 * t + 2] + c6 * _beta[3 * t + 2];
        }

        var warped = new float[Width * Height];
        for (var y = 0; y < Height; y++)
        {
            double yi = y + MinY;
            for (var x = 0; x < Width; x++)
            {
                var t = _triangleOf[y * Width + x];
                if (t < 0) continue;
                double xi = x + MinX;
                var c = coefficients.Slice(6 * t, 6);
                warped[y * Width + x] = image.SampleBilinear(c[0] + c[1] * xi + c[2] * yi, c[3] + c[4] * xi + c[5] * yi);
            }
        }
        return warped;
    }

    /// <summary>Reads OpenFace's PAW record (number of pixels, origin, reference shape, triangulation, pixel triangles, mask, alpha, beta).</summary>
    internal static PiecewiseAffineWarp Read(ClnfBinaryReader reader)
    {
        var pixelCount = reader.ReadInt32();
        var minX = (float)reader.ReadDouble();
        var minY = (float)reader.ReadDouble();
        _ = reader.ReadMatrix(); // the reference shape: only needed to build the tables below, which the file carries
        var triangles = reader.ReadMatrix();
        var triangleOf = reader.ReadMatrix();
        var mask = reader.ReadMatrix();
        var alpha = reader.ReadMatrix();
        var beta = reader.ReadMatrix();
        if (triangles.Cols != 3 || alpha.Rows != triangles.Rows || beta.Rows != triangles.Rows || alpha.Cols != 3 || beta.Cols != 3
            || mask.Rows != triangleOf.Rows || mask.Cols != triangleOf.Cols)
            throw reader.Corrupt("inconsistent piece-wise affine warp");
        var owner = new int[triangleOf.Values.Length];
        for (var i = 0; i < owner.Length; i++)
        {
            owner[i] = mask.Values[i] != 0 ? (int)triangleOf.Values[i] : -1;
            if (owner[i] >= triangles.Rows) throw reader.Corrupt("pixel triangle out of range");
        }
        if (owner.Count(t => t >= 0) != pixelCount) throw reader.Corrupt("mask and pixel count disagree");
        return new PiecewiseAffineWarp(pixelCount, minX, minY, triangleOf.Cols, triangleOf.Rows,
            triangles.Values.Select(v => (int)v).ToArray(), Floats(alpha), Floats(beta), owner);
    }

    /// <summary>Checks the warp's triangles against the number of landmarks it is used with.</summary>
    internal bool FitsLandmarkCount(int points) => _triangles.All(i => i >= 0 && i < points);

    internal void WriteTo(ModelPackWriter writer)
    {
        writer.Write(PixelCount);
        writer.Write((double)MinX);
        writer.Write((double)MinY);
        writer.Write(Width);
        writer.Write(Height);
        writer.Write(_triangles);
        writer.Write(_alpha);
        writer.Write(_beta);
        writer.Write(_triangleOf);
    }

    internal static PiecewiseAffineWarp ReadFrom(ModelPackReader reader)
    {
        var pixelCount = reader.ReadInt32();
        var minX = (float)reader.ReadDouble();
        var minY = (float)reader.ReadDouble();
        var width = reader.ReadInt32();
        var height = reader.ReadInt32();
        var triangles = reader.ReadInt32s();
        var alpha = reader.ReadSingles();
        var beta = reader.ReadSingles();
        var owner = reader.ReadInt32s();
        if (width <= 0 || height <= 0 || owner.Length != width * height || triangles.Length % 3 != 0
            || alpha.Length != triangles.Length || beta.Length != triangles.Length || owner.Any(t => t >= triangles.Length / 3))
            throw reader.Corrupt("inconsistent piece-wise affine warp");
        return new PiecewiseAffineWarp(pixelCount, minX, minY, width, height, triangles, alpha, beta, owner);
    }

    private static float[] Floats(BinMatrix m) => m.Values.Select(v => (float)v).ToArray();
}
