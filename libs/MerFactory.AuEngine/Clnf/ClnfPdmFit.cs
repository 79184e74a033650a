using System.Runtime.CompilerServices;
namespace MerFactory.AuEngine.Clnf;

public sealed partial class ClnfPdm
{
    /// <summary>
    /// Fits pose and shape to landmarks (x0..x(n-1), y0..y(n-1)); points whose x is exactly 0 are treated as not
    /// given (a part model fed only the points it shares with the main model). Regularised Gauss-Newton with half
    /// steps, stopping after 5 iterations that improve the error by less than 0.1% (OpenFace's PDM::CalcParams).
    /// </summary>
    /// <param name="start">
    /// Parameters to start from instead of the mean shape in the landmarks' box (e.g. the previous video frame's fit):
    /// the iterations then begin near the answer.
    /// </param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public (PdmPose Pose, double[] Local) CalcParams(ReadOnlySpan<double> landmarks, (PdmPose Pose, double[] Local)? start = null)
    {
        var n = PointCount;
        var m = ModeCount;
        var visible = new bool[n];
        double minX = double.MaxValue, maxX = double.MinValue, minY = double.MaxValue, maxY = double.MinValue;
        var count = 0;
        for (var i = 0; i < n; i++)
        {
            if (landmarks[i] == 0) continue;
            visible[i] = true;
            count++;
            minX = Math.Min(minX, landmarks[i]);
            maxX = Math.Max(maxX, landmarks[i]);
            minY = Math.Min(minY, landmarks[i + n]);
            maxY = Math.Max(maxY, landmarks[i + n]);
        }
        var local = new double[m];
        if (count < 2) return (new PdmPose(1, 0, 0, 0, 0, 0), local);

        PdmPose pose;
        if (start is { } given && given.Local.Length == m)
        {
            pose = given.Pose;
            given.Local.CopyTo(local, 0);
        }
        else
        {
            pose = MeanShapeInBox(visible, minX, maxX, minY, maxY);
        }

        var p = 6 + m;
        var buffers = CalcParamsBuffers.For(n, p);
        var (jacobian, hessian, rhs, update, factor) = (buffers.Jacobian, buffers.Hessian, buffers.Rhs, buffers.Update, buffers.Factor);
        var (shape3, shape, residual, weights) = (buffers.Shape3, buffers.Shape, buffers.Residual, buffers.Weights);
        for (var i = 0; i < n; i++) weights[i] = weights[i + n] = visible[i] ? 1 : 0;
        Shape2D(local, pose, shape);
        var error = Error(shape, landmarks, visible);
        var notImproved = 0;
        for (var iter = 0; iter < 1000; iter++)
        {
            // One 3-D shape per iteration: the projection, the Jacobian and (after the pose update) the error all use it.
            Shape3D(local, shape3);
            Project(shape3, pose, shape);
            JacobianTransposedAt(shape3, pose, rigid: false, jacobian);
            for (var k = 0; k < 2 * n; k++) residual[k] = landmarks[k] - shape[k];
            NormalEquations.Build(jacobian, p, 2 * n, weights, residual, hessian, rhs);
            for (var k = 0; k < m; k++)
            {
                hessian[(6 + k) * p + 6 + k] += 1 / _eigen[k];
                rhs[6 + k] -= local[k] / _eigen[k];
            }
            if (!DenseMath.SolveSpd(hessian, p, rhs, update, factor)) break;
            for (var k = 0; k < p; k++) update[k] *= 0.5;
            // OpenFace measures the new error with the previous shape parameters (shape3) and the new pose.
            Update(update, local, ref pose);
            Project(shape3, pose, shape);
            var newError = Error(shape, landmarks, visible);
            if (0.999 * error < newError && ++notImproved == 5) break;
            error = newError;
        }
        return (pose, local);
    }

    /// <summary>The mean shape scaled and centred on the landmarks' box: OpenFace's starting pose.</summary>
    private PdmPose MeanShapeInBox(bool[] visible, double minX, double maxX, double minY, double maxY)
    {
        var n = PointCount;
        // The model's own extent at unit scale over the same points, truncated to integers like OpenFace's cv::Rect.
        var meanShape = Shape2D(new double[ModeCount], new PdmPose(1, 0, 0, 0, 0, 0));
        double mMinX = double.MaxValue, mMaxX = double.MinValue, mMinY = double.MaxValue, mMaxY = double.MinValue;
        for (var i = 0; i < n; i++)
        {
            if (!visible[i]) continue;
            mMinX = Math.Min(mMinX, meanShape[i]);
            mMaxX = Math.Max(mMaxX, meanShape[i]);
            mMinY = Math.Min(mMinY, meanShape[i + n]);
            mMaxY = Math.Max(mMaxY, meanShape[i + n]);
        }
        var modelWidth = Math.Max(1, (int)(mMaxX - mMinX));
        var modelHeight = Math.Max(1, (int)(mMaxY - mMinY));
        return new PdmPose(((maxX - minX) / modelWidth + (maxY - minY) / modelHeight) / 2, 0, 0, 0, (minX + maxX) / 2, (minY + maxY) / 2);
    }

    private double Error(ReadOnlySpan<double> shape, ReadOnlySpan<double> landmarks, bool[] visible)
    {
        var n = PointCount;
        var sum = 0.0;
        for (var i = 0; i < n; i++)
        {
            if (!visible[i]) continue;
            double dx = shape[i] - landmarks[i], dy = shape[i + n] - landmarks[i + n];
            sum += dx * dx + dy * dy;
        }
        return Math.Sqrt(sum);
    }

    /// <summary>Scratch space of <see cref="CalcParams"/>, one set per thread and size (parts fit on several threads).</summary>
    private sealed class CalcParamsBuffers
    {
        [ThreadStatic] private static CalcParamsBuffers[]? _perThread;

        private CalcParamsBuffers(int n, int p)
        {
            (N, P) = (n, p);
            Jacobian = new double[2 * n * p];
            Hessian = new double[p * p];
            Factor = new double[p * p];
            Rhs = new double[p];
            Update = new double[p];
            Shape3 = new double[3 * n];
            Shape = new double[2 * n];
            Residual = new double[2 * n];
            Weights = new double[2 * n];
        }

        public int N { get; }
        public int P { get; }
        public double[] Jacobian { get; }
        public double[] Hessian { get; }
        public double[] Factor { get; }
        public double[] Rhs { get; }
        public double[] Update { get; }
        public double[] Shape3 { get; }
        public double[] Shape { get; }
        public double[] Residual { get; }
        public double[] Weights { get; }

        public static CalcParamsBuffers For(int n, int p)
        {
            var sets = _perThread ??= new CalcParamsBuffers[4];
            for (var i = 0; i < sets.Length; i++)
            {
                if (sets[i] is null) return sets[i] = new CalcParamsBuffers(n, p);
                if (sets[i].N == n && sets[i].P == p) return sets[i];
            }
            return new CalcParamsBuffers(n, p);
        }
    }
}
