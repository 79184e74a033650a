using System.Runtime.CompilerServices;
using MerFactory.AuEngine.Models;
using OpenCvSharp;

namespace MerFactory.AuEngine.Alignment;

/// <summary>
/// OpenFace's AlignFaceMask: a similarity warp of the BGR frame that maps the 24 rigid landmarks onto the
/// PDM mean shape (scale 0.7) in a 112x112 image centred on the PDM translation, then zeroes every pixel
/// outside the face triangulation (with brows and upper jaw points raised 30 px to keep the forehead).
/// </summary>
public sealed class FaceAligner
{
    public const int OutputSize = 112;
    public const double SimilarityScale = 0.7;

    private static readonly int[] RigidPoints = [1, 2, 3, 4, 12, 13, 14, 15, 27, 28, 29, 31, 32, 33, 34, 35, 36, 39, 40, 41, 42, 45, 46, 47];
    private static readonly int[] RaisedPoints = [0, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26];

    private readonly PointDistributionModel _pdm;
    private readonly int[][] _triangles;
    private readonly double[] _rigidTargetX;
    private readonly double[] _rigidTargetY;

    public FaceAligner(PointDistributionModel pdm, int[][] triangles)
    {
        if (pdm.PointCount != 68) throw new ArgumentException("the aligner needs the 68-point PDM", nameof(pdm));
        _pdm = pdm;
        _triangles = triangles;
        _rigidTargetX = RigidPoints.Select(i => pdm.Mean(i, 0) * SimilarityScale).ToArray();
        _rigidTargetY = RigidPoints.Select(i => pdm.Mean(i, 1) * SimilarityScale).ToArray();
    }

    /// <summary>Reads OpenFace's triangulation file (tris_68_full.txt: rows x 3 point indices).</summary>
    public static int[][] LoadTriangulation(string path)
    {
        var matrix = OpenFaceTextMatrix.ReadAll(path).FirstOrDefault()
            ?? throw new CorruptModelException(path, "no triangulation matrix");
        if (matrix.GetLength(1) != 3) throw new CorruptModelException(path, "triangulation must have 3 columns");
        var triangles = new int[matrix.GetLength(0)][];
        for (var i = 0; i < triangles.Length; i++)
        {
            triangles[i] = [(int)matrix[i, 0], (int)matrix[i, 1], (int)matrix[i, 2]];
            if (triangles[i].Any(v => v is < 0 or >= 68)) throw new CorruptModelException(path, $"triangle {i} names a point outside 0..67");
        }
        return triangles;
    }

    /// <summary>The 2x3 warp from frame to aligned face for landmarks (x0..x67, y0..y67) and the PDM translation.</summary>
    public double[] WarpMatrix(ReadOnlySpan<double> landmarks, double tx, double ty)
    {
        var n = _pdm.PointCount;
        var count = RigidPoints.Length;
        double meanSx = 0, meanSy = 0, meanDx = 0, meanDy = 0;
        for (var k = 0; k < count; k++)
        {
            meanSx += landmarks[RigidPoints[k]];
            meanSy += landmarks[RigidPoints[k] + n];
            meanDx += _rigidTargetX[k];
            meanDy += _rigidTargetY[k];
        }
        meanSx /= count; meanSy /= count; meanDx /= count; meanDy /= count;

        double srcSq = 0, dstSq = 0;
        for (var k = 0; k < count; k++)
        {
            double sx = landmarks[RigidPoints[k]] - meanSx, sy = landmarks[RigidPoints[k] + n] - meanSy;
            double dx = _rigidTargetX[k] - meanDx, dy = _rigidTargetY[k] - meanDy;
            srcSq += sx * sx + sy * sy;
            dstSq += dx * dx + dy * dy;
        }
        var sSrc = Math.Sqrt(srcSq / count);
        var sDst = Math.Sqrt(dstSq / count);

        // 2-D Kabsch on the normalised shapes: the proper rotation that best maps source onto target.
        double dot = 0, cross = 0;
        for (var k = 0; k < count; k++)
        {
            double sx = (landmarks[RigidPoints[k]] - meanSx) / sSrc, sy = (landmarks[RigidPoints[k] + n] - meanSy) / sSrc;
            double dx = (_rigidTargetX[k] - meanDx) / sDst, dy = (_rigidTargetY[k] - meanDy) / sDst;
            dot += sx * dx + sy * dy;
            cross += sx * dy - sy * dx;
        }
        var angle = Math.Atan2(cross, dot);
        var scale = sDst / sSrc;
        double a00 = scale * Math.Cos(angle), a01 = -scale * Math.Sin(angle);
        double a10 = scale * Math.Sin(angle), a11 = scale * Math.Cos(angle);
        var half = OutputSize / 2;
        return [a00, a01, -(a00 * tx + a01 * ty) + half, a10, a11, -(a10 * tx + a11 * ty) + half];
    }

    /// <summary>Aligned, masked 112x112 BGR face. The caller disposes the returned Mat.</summary>
    public Mat Align(Mat bgrFrame, ReadOnlySpan<double> landmarks, double tx, double ty)
    {
        var warp = WarpMatrix(landmarks, tx, ty);
        var aligned = new Mat();
        using (var warpMat = Mat.FromPixelData(2, 3, MatType.CV_64FC1, warp))
        {
            Cv2.WarpAffine(bgrFrame, aligned, warpMat, new Size(OutputSize, OutputSize), InterpolationFlags.Linear);
        }
        using var mask = BuildMask(landmarks, warp);
        var masked = new Mat(OutputSize, OutputSize, MatType.CV_8UC3, Scalar.All(0));
        aligned.CopyTo(masked, mask);
        aligned.Dispose();
        return masked;
    }

    /// <summary>Pixels (integer centres) inside any triangle of the warped landmarks, borders included (OpenFace's PAW mask).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal Mat BuildMask(ReadOnlySpan<double> landmarks, double[] warp)
    {
        var n = _pdm.PointCount;
        var px = new double[n];
        var py = new double[n];
        for (var i = 0; i < n; i++)
        {
            double x = landmarks[i], y = landmarks[i + n];
            px[i] = warp[0] * x + warp[1] * y + warp[2];
            py[i] = warp[3] * x + warp[4] * y + warp[5];
        }
        foreach (var i in RaisedPoints) py[i] -= 30;

        var mask = new byte[OutputSize * OutputSize];
        foreach (var tri in _triangles)
        {
            double x1 = px[tri[0]], y1 = py[tri[0]], x2 = px[tri[1]], y2 = py[tri[1]], x3 = px[tri[2]], y3 = py[tri[2]];
            var minX = Math.Max(0, (int)Math.Ceiling(Math.Min(x1, Math.Min(x2, x3))));
            var maxX = Math.Min(OutputSize - 1, (int)Math.Floor(Math.Max(x1, Math.Max(x2, x3))));
            var minY = Math.Max(0, (int)Math.Ceiling(Math.Min(y1, Math.Min(y2, y3))));
            var maxY = Math.Min(OutputSize - 1, (int)Math.Floor(Math.Max(y1, Math.Max(y2, y3))));
            for (var y = minY; y <= maxY; y++)
            for (var x = minX; x <= maxX; x++)
            {
                if (mask[y * OutputSize + x] != 0) continue;
                if (InTriangle(x, y, x1, y1, x2, y2, x3, y3)) mask[y * OutputSize + x] = 1;
            }
        }
        return Mat.FromPixelData(OutputSize, OutputSize, MatType.CV_8UC1, mask).Clone();
    }

    private static bool SameSide(double x0, double y0, double x1, double y1, double x2, double y2, double x3, double y3)
    {
        var a = (x3 - x2) * (y0 - y2) - (x0 - x2) * (y3 - y2);
        var b = (x3 - x2) * (y1 - y2) - (x1 - x2) * (y3 - y2);
        return a * b >= 0;
    }

    private static bool InTriangle(double x0, double y0, double x1, double y1, double x2, double y2, double x3, double y3) =>
        SameSide(x0, y0, x1, y1, x2, y2, x3, y3) && SameSide(x0, y0, x2, y2, x1, y1, x3, y3) && SameSide(x0, y0, x3, y3, x1, y1, x2, y2);
}
