using System.Runtime.InteropServices;
using MerFactory.AuEngine.Models;
namespace MerFactory.AuEngine.Alignment;

/// <summary>Rigid (weak-perspective) pose of the PDM: scale, Euler rotation (radians) and 2-D translation.</summary>
public readonly record struct PdmGlobalParams(double Scale, double Rx, double Ry, double Rz, double Tx, double Ty);

/// <summary>
/// OpenFace's 3-D point distribution model (68 points, 34 modes): shape = mean + V·p, projected with
/// scale·R(2x3) + t. <see cref="CalcParams"/> fits it to 2-D landmarks exactly as OpenFace's PDM::CalcParams.
/// </summary>
public sealed class PointDistributionModel
{
    private readonly double[] _mean;      // 3n: x0..x(n-1), y.., z..
    private readonly double[,] _modes;    // 3n x m
    private readonly double[] _eigenValues;

    public int PointCount { get; }
    public int ModeCount { get; }

    /// <summary>Geometry feature length: 3n shape offsets followed by the m local parameters.</summary>
    public int GeometryFeatureLength => 3 * PointCount + ModeCount;

    private readonly Clnf.ClnfPdm _model;

    private PointDistributionModel(double[] mean, double[,] modes, double[] eigenValues)
    {
        _mean = mean;
        _modes = modes;
        _eigenValues = eigenValues;
        var flat = new double[modes.Length];
        Buffer.BlockCopy(modes, 0, flat, 0, modes.Length * sizeof(double));
        _model = new Clnf.ClnfPdm(mean, flat, eigenValues);
        PointCount = mean.Length / 3;
        ModeCount = eigenValues.Length;
    }

    public static PointDistributionModel Load(string path)
    {
        var matrices = OpenFaceTextMatrix.ReadAll(path).Take(3).ToList();
        if (matrices.Count != 3) throw new CorruptModelException(path, "expected mean shape, principal components and eigenvalues");
        var (mean, modes, eig) = (matrices[0], matrices[1], matrices[2]);
        if (mean.GetLength(1) != 1 || mean.GetLength(0) % 3 != 0)
            throw new CorruptModelException(path, "mean shape must be a 3n x 1 column");
        if (modes.GetLength(0) != mean.GetLength(0))
            throw new CorruptModelException(path, "principal components do not match the mean shape");
        var m = modes.GetLength(1);
        if (eig.Length != m) throw new CorruptModelException(path, "eigenvalue count does not match the modes");
        var meanVec = new double[mean.GetLength(0)];
        for (var i = 0; i < meanVec.Length; i++) meanVec[i] = mean[i, 0];
        var eigVec = new double[m];
        var k = 0;
        foreach (var v in eig) eigVec[k++] = v;
        return new PointDistributionModel(meanVec, modes, eigVec);
    }

    /// <summary>Mean shape coordinate: axis 0 = x, 1 = y, 2 = z.</summary>
    public double Mean(int point, int axis) => _mean[axis * PointCount + point];

    /// <summary>Geometry descriptor as OpenFace's FaceAnalyser builds it: V·p (3n values) followed by p.</summary>
    public void GeometryFeatures(ReadOnlySpan<double> local, Span<double> output)
    {
        var n3 = 3 * PointCount;
        for (var i = 0; i < n3; i++)
        {
            var s = 0.0;
            for (var j = 0; j < ModeCount; j++) s += _modes[i, j] * local[j];
            output[i] = s;
        }
        local[..ModeCount].CopyTo(output[n3..]);
    }

    /// <summary>Projects the model into the image: returns x0..x(n-1), y0..y(n-1).</summary>
    public double[] Shape2D(PdmGlobalParams g, ReadOnlySpan<double> local)
    {
        var n = PointCount;
        var r = RotationMath.EulerToMatrix(g.Rx, g.Ry, g.Rz);
        var shape = Shape3D(local);
        var result = new double[2 * n];
        for (var i = 0; i < n; i++)
        {
            double x = shape[i], y = shape[i + n], z = shape[i + 2 * n];
            result[i] = g.Scale * (r[0] * x + r[1] * y + r[2] * z) + g.Tx;
            result[i + n] = g.Scale * (r[3] * x + r[4] * y + r[5] * z) + g.Ty;
        }
        return result;
    }

    public double[] Shape3D(ReadOnlySpan<double> local)
    {
        var shape = (double[])_mean.Clone();
        var m = ModeCount;
        for (var i = 0; i < shape.Length; i++)
        {
            var row = MemoryMarshal.CreateReadOnlySpan(ref _modes[i, 0], m);
            var s = 0.0;
            for (var j = 0; j < m; j++) s += row[j] * local[j];
            shape[i] += s;
        }
        return shape;
    }

    /// <summary>
    /// Fits global and local parameters to 2-D landmarks (x0..x(n-1), y0..y(n-1)): regularised Gauss-Newton with
    /// half steps, stopping after 5 iterations that improve the error by less than 0.1% (OpenFace's CalcParams; the
    /// CLNF fitter's implementation, which reuses its buffers and projects one 3-D shape per iteration).
    /// </summary>
    /// <param name="start">A fit to start from (e.g. the previous video frame's) instead of the mean shape.</param>
    public (PdmGlobalParams Global, double[] Local) CalcParams(ReadOnlySpan<double> landmarks, Pipeline.PdmFit? start = null)
    {
        if (landmarks.Length != 2 * PointCount) throw new ArgumentException($"expected {2 * PointCount} landmark coordinates", nameof(landmarks));
        var (pose, local) = _model.CalcParams(landmarks, start is { Global: var g }
            ? (new Clnf.PdmPose(g.Scale, g.Rx, g.Ry, g.Rz, g.Tx, g.Ty), start.Local)
            : null);
        return (new PdmGlobalParams(pose.Scale, pose.Rx, pose.Ry, pose.Rz, pose.Tx, pose.Ty), local);
    }
}
