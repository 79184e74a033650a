using System.Runtime.CompilerServices;
using MerFactory.AuEngine.Alignment;
using MerFactory.AuEngine.Models;

namespace MerFactory.AuEngine.Clnf;

/// <summary>Pose of a PDM: [scale, rx, ry, rz, tx, ty].</summary>
public struct PdmPose
{
    public double Scale, Rx, Ry, Rz, Tx, Ty;

    public PdmPose(double scale, double rx, double ry, double rz, double tx, double ty) =>
        (Scale, Rx, Ry, Rz, Tx, Ty) = (scale, rx, ry, rz, tx, ty);
}

/// <summary>
/// OpenFace's 3-D point distribution model as the CLNF fitter uses it (any point count: 68 main, 51 inner, 28 eye):
/// shape = mean + V·p, weak-perspective projection, the rigid and full Jacobians, the rotation-composing parameter
/// update, clamping to ±3 standard deviations, and the fits from a box or from (partly given) landmarks.
/// </summary>
public sealed partial class ClnfPdm
{
    private readonly double[] _mean;   // 3n: x.., y.., z..
    private readonly double[] _modes;  // 3n x m row-major
    private readonly double[] _eigen;

    public ClnfPdm(double[] mean, double[] modes, double[] eigenValues)
    {
        _mean = mean;
        _modes = modes;
        _eigen = eigenValues;
        PointCount = mean.Length / 3;
        ModeCount = eigenValues.Length;
    }

    public int PointCount { get; }
    public int ModeCount { get; }
    public ReadOnlySpan<double> EigenValues => _eigen;

    internal void WriteTo(Models.ModelPackWriter writer)
    {
        writer.Write(_mean);
        writer.Write(_modes);
        writer.Write(_eigen);
    }

    internal static ClnfPdm ReadFrom(Models.ModelPackReader reader)
    {
        var mean = reader.ReadDoubles();
        var modes = reader.ReadDoubles();
        var eigen = reader.ReadDoubles();
        if (mean.Length % 3 != 0 || modes.Length != mean.Length * eigen.Length) throw reader.Corrupt("PDM arrays do not fit together");
        return new ClnfPdm(mean, modes, eigen);
    }

    public static ClnfPdm Load(string path)
    {
        var matrices = OpenFaceTextMatrix.ReadAll(path).Take(3).ToList();
        if (matrices.Count != 3) throw new CorruptModelException(path, "expected mean shape, principal components and eigenvalues");
        var (mean, modes, eig) = (matrices[0], matrices[1], matrices[2]);
        var rows = mean.GetLength(0);
        if (mean.GetLength(1) != 1 || rows % 3 != 0 || modes.GetLength(0) != rows || eig.Length != modes.GetLength(1))
            throw new CorruptModelException(path, "PDM matrices do not fit together");
        var m = modes.GetLength(1);
        var flat = new double[rows * m];
        for (var r = 0; r < rows; r++)
        for (var c = 0; c < m; c++) flat[r * m + c] = modes[r, c];
        return new ClnfPdm(Enumerable.Range(0, rows).Select(r => mean[r, 0]).ToArray(), flat, eig.Cast<double>().ToArray());
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Shape3D(ReadOnlySpan<double> local, Span<double> shape)
    {
        var m = ModeCount;
        for (var i = 0; i < _mean.Length; i++)
        {
            var row = _modes.AsSpan(i * m, m);
            var s = _mean[i];
            for (var j = 0; j < m; j++) s += row[j] * local[j];
            shape[i] = s;
        }
    }

    /// <summary>Projected landmarks x0..x(n-1), y0..y(n-1).</summary>
    public void Shape2D(ReadOnlySpan<double> local, in PdmPose pose, Span<double> output)
    {
        var n = PointCount;
        Span<double> shape = n <= 128 ? stackalloc double[3 * n] : new double[3 * n];
        Shape3D(local, shape);
        Project(shape, pose, output);
    }

    /// <summary>Projects a 3-D shape (from <see cref="Shape3D"/>) with <paramref name="pose"/>: x0..x(n-1), y0..y(n-1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Project(ReadOnlySpan<double> shape, in PdmPose pose, Span<double> output)
    {
        var n = PointCount;
        var r = RotationMath.EulerToMatrix(pose.Rx, pose.Ry, pose.Rz);
        for (var i = 0; i < n; i++)
        {
            double x = shape[i], y = shape[i + n], z = shape[i + 2 * n];
            output[i] = pose.Scale * (r[0] * x + r[1] * y + r[2] * z) + pose.Tx;
            output[i + n] = pose.Scale * (r[3] * x + r[4] * y + r[5] * z) + pose.Ty;
        }
    }

    public double[] Shape2D(ReadOnlySpan<double> local, in PdmPose pose)
    {
        var result = new double[2 * PointCount];
        Shape2D(local, pose, result);
        return result;
    }

    /// <summary>
    /// Jacobian of the projected shape, stored transposed: row a (of 6 [+ m]) holds d(x0..x(n-1), y0..y(n-1))/d(param a);
    /// parameters are scale, small rotations about x, y, z, translation x, y, then (non-rigid) the modes.
    /// </summary>
    public void JacobianTransposed(ReadOnlySpan<double> local, in PdmPose pose, bool rigid, Span<double> jt)
    {
        var n = PointCount;
        Span<double> shape = n <= 128 ? stackalloc double[3 * n] : new double[3 * n];
        Shape3D(local, shape);
        JacobianTransposedAt(shape, pose, rigid, jt);
    }

    /// <summary><see cref="JacobianTransposed"/> at a 3-D shape already computed from the local parameters.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void JacobianTransposedAt(ReadOnlySpan<double> shape, in PdmPose pose, bool rigid, Span<double> jt)
    {
        var n = PointCount;
        var m = ModeCount;
        var rows = 2 * n;
        var r = RotationMath.EulerToMatrix(pose.Rx, pose.Ry, pose.Rz);
        var s = pose.Scale;
        for (var i = 0; i < n; i++)
        {
            double x = shape[i], y = shape[i + n], z = shape[i + 2 * n];
            int ix = i, iy = i + n;
            jt[ix] = x * r[0] + y * r[1] + z * r[2];
            jt[iy] = x * r[3] + y * r[4] + z * r[5];
            jt[rows + ix] = s * (y * r[2] - z * r[1]);
            jt[rows + iy] = s * (y * r[5] - z * r[4]);
            jt[2 * rows + ix] = -s * (x * r[2] - z * r[0]);
            jt[2 * rows + iy] = -s * (x * r[5] - z * r[3]);
            jt[3 * rows + ix] = s * (x * r[1] - y * r[0]);
            jt[3 * rows + iy] = s * (x * r[4] - y * r[3]);
            jt[4 * rows + ix] = 1;
            jt[4 * rows + iy] = 0;
            jt[5 * rows + ix] = 0;
            jt[5 * rows + iy] = 1;
            if (rigid) continue;
            var vx = _modes.AsSpan(i * m, m);
            var vy = _modes.AsSpan((i + n) * m, m);
            var vz = _modes.AsSpan((i + 2 * n) * m, m);
            for (var j = 0; j < m; j++)
            {
                jt[(6 + j) * rows + ix] = s * (r[0] * vx[j] + r[1] * vy[j] + r[2] * vz[j]);
                jt[(6 + j) * rows + iy] = s * (r[3] * vx[j] + r[4] * vy[j] + r[5] * vz[j]);
            }
        }
    }

    /// <summary>Adds an update: scale and translation add, the rotation composes with the small-angle rotation.</summary>
    public void Update(ReadOnlySpan<double> delta, Span<double> local, ref PdmPose pose)
    {
        pose.Scale += delta[0];
        pose.Tx += delta[4];
        pose.Ty += delta[5];
        var r3 = RotationMath.Multiply(RotationMath.EulerToMatrix(pose.Rx, pose.Ry, pose.Rz),
            RotationMath.OrthonormaliseSmallRotation(delta[1], delta[2], delta[3]));
        var (rx, ry, rz) = RotationMath.MatrixToEuler(r3);
        if (double.IsNaN(rx) || double.IsNaN(ry) || double.IsNaN(rz)) (rx, ry, rz) = (0, 0, 0);
        (pose.Rx, pose.Ry, pose.Rz) = (rx, ry, rz);
        if (delta.Length > 6)
            for (var j = 0; j < ModeCount; j++) local[j] += delta[6 + j];
    }

    /// <summary>Keeps each shape parameter within ±3 standard deviations (√eigenvalue).</summary>
    public void Clamp(Span<double> local)
    {
        for (var j = 0; j < ModeCount; j++)
        {
            var limit = 3 * Math.Sqrt(_eigen[j]);
            if (Math.Abs(local[j]) > limit) local[j] = local[j] > 0 ? limit : -limit;
        }
    }

    /// <summary>Pose that places the shape's (rotated) extent on a face box (OpenFace's CalcParams from a box).</summary>
    public PdmPose PoseFromBox(double x, double y, double width, double height, ReadOnlySpan<double> local, double rx = 0, double ry = 0, double rz = 0)
    {
        var n = PointCount;
        var shape = new double[3 * n];
        Shape3D(local, shape);
        var r = RotationMath.EulerToMatrix(rx, ry, rz);
        double minX = double.MaxValue, maxX = double.MinValue, minY = double.MaxValue, maxY = double.MinValue;
        for (var i = 0; i < n; i++)
        {
            double px = shape[i], py = shape[i + n], pz = shape[i + 2 * n];
            var u = r[0] * px + r[1] * py + r[2] * pz;
            var v = r[3] * px + r[4] * py + r[5] * pz;
            minX = Math.Min(minX, u);
            maxX = Math.Max(maxX, u);
            minY = Math.Min(minY, v);
            maxY = Math.Max(maxY, v);
        }
        var scale = (width / (maxX - minX) + height / (maxY - minY)) / 2;
        var tx = x + width / 2 - scale * (minX + maxX) / 2;
        var ty = y + height / 2 - scale * (minY + maxY) / 2;
        return new PdmPose(scale, rx, ry, rz, tx, ty);
    }
}
