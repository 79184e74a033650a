using System.Runtime.CompilerServices;
namespace MerFactory.AuEngine.Clnf;

/// <summary>
/// One NU-RLMS pass (CLNF::NU_RLMS): iterate mean-shifts of the response maps, projected on the (weighted) PDM
/// Jacobian, with Tikhonov regularisation of the shape parameters (reg/eigenvalue) in the non-rigid pass; stops when
/// the shape moves less than 0.01 px (norm). Returns the mean log-likelihood of the landmarks under their responses.
/// </summary>
internal sealed class NuRlms(ClnfPdm pdm, float[][] responses, double[] baseShape, double[] toRef, double[] toImage,
    int window, bool[] visible, double[] weights, ClnfFitParameters parameters, NuRlmsScratch scratch)
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double Optimise(ClnfFitState state, bool rigid)
    {
        var n = pdm.PointCount;
        var m = pdm.ModeCount;
        var p = rigid ? 6 : 6 + m;
        var jacobian = scratch.Jacobian(2 * n * p);
        var hessian = scratch.Hessian(p * p);
        var gradient = scratch.Gradient(p);
        var update = scratch.Update(p);
        var factor = scratch.Factor(p * p);
        var shape3 = scratch.Shape3(3 * n);
        var shape = scratch.Shape(2 * n);
        var previous = scratch.Previous(2 * n);
        var dxs = scratch.Dxs(n);
        var dys = scratch.Dys(n);
        var shifts = scratch.Shifts(2 * n);
        var rowWeights = scratch.RowWeights(2 * n);
        for (var i = 0; i < n; i++) rowWeights[i] = rowWeights[i + n] = visible[i] ? weights[i] : 0;
        var centre = (window - 1) / 2;
        var eigen = pdm.EigenValues;

        for (var iter = 0; iter < parameters.Iterations; iter++)
        {
            // One 3-D shape per iteration for both the projection and the Jacobian.
            pdm.Shape3D(state.Local, shape3);
            pdm.Project(shape3, state.Pose, shape);
            if (iter > 0 && Distance(shape, previous) < 0.01) break;
            shape.CopyTo(previous);

            pdm.JacobianTransposedAt(shape3, state.Pose, rigid, jacobian);
            for (var i = 0; i < n; i++)
            {
                double ox = shape[i] - baseShape[i], oy = shape[i + n] - baseShape[i + n];
                dxs[i] = toRef[0] * ox + toRef[1] * oy + centre;
                dys[i] = toRef[2] * ox + toRef[3] * oy + centre;
            }
            KdeMeanShift.Compute(responses, dxs, dys, window, parameters.Sigma, visible, shifts);
            // Back to image coordinates.
            for (var i = 0; i < n; i++)
            {
                double sx = shifts[i], sy = shifts[i + n];
                shifts[i] = toImage[0] * sx + toImage[1] * sy;
                shifts[i + n] = toImage[2] * sx + toImage[3] * sy;
            }

            NormalEquations.Build(jacobian, p, 2 * n, rowWeights, shifts, hessian, gradient);
            if (!rigid)
            {
                for (var k = 0; k < m; k++)
                {
                    var reg = parameters.RegFactor / eigen[k];
                    hessian[(6 + k) * p + 6 + k] += reg;
                    gradient[6 + k] -= reg * state.Local[k];
                }
            }
            if (!DenseMath.SolveSpd(hessian, p, gradient, update, factor)) update.Clear();
            pdm.Update(update, state.Local, ref state.Pose);
            pdm.Clamp(state.Local);
        }

        return LogLikelihood(dxs, dys);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double LogLikelihood(ReadOnlySpan<double> dxs, ReadOnlySpan<double> dys)
    {
        var n = visible.Length;
        var total = 0.0;
        var count = 0;
        var denominator = 2 * parameters.Sigma * parameters.Sigma;
        Span<double> rowKernel = stackalloc double[window];
        Span<double> colKernel = stackalloc double[window];
        for (var i = 0; i < n; i++)
        {
            if (!visible[i]) continue;
            count++;
            // The Gaussian is separable: exp(-(dy²+dx²)/2σ²) = exp(-dy²/2σ²)·exp(-dx²/2σ²).
            for (var k = 0; k < window; k++)
            {
                rowKernel[k] = Math.Exp(-(dys[i] - k) * (dys[i] - k) / denominator);
                colKernel[k] = Math.Exp(-(dxs[i] - k) * (dxs[i] - k) / denominator);
            }
            var response = responses[i];
            double sum = 0;
            for (var ii = 0; ii < window; ii++)
            {
                double rowSum = 0;
                for (var jj = 0; jj < window; jj++) rowSum += response[ii * window + jj] * colKernel[jj];
                sum += rowKernel[ii] * rowSum;
            }
            total += Math.Log(sum + 1e-8);
        }
        return count == 0 ? total : total / count;
    }

    private static double Distance(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var sum = 0.0;
        for (var i = 0; i < a.Length; i++) sum += (a[i] - b[i]) * (a[i] - b[i]);
        return Math.Sqrt(sum);
    }
}

/// <summary>Buffers of <see cref="NuRlms"/>, kept by one fitter (one thread) across passes, frames and models.</summary>
internal sealed class NuRlmsScratch
{
    private readonly double[][] _buffers = new double[13][];

    private Span<double> Get(int slot, int length)
    {
        var buffer = _buffers[slot];
        if (buffer is null || buffer.Length < length) _buffers[slot] = buffer = new double[length];
        return buffer.AsSpan(0, length);
    }

    public Span<double> Jacobian(int length) => Get(0, length);
    public Span<double> Hessian(int length) => Get(1, length);
    public Span<double> Gradient(int length) => Get(2, length);
    public Span<double> Update(int length) => Get(3, length);
    public Span<double> Factor(int length) => Get(4, length);
    public Span<double> Shape3(int length) => Get(5, length);
    public Span<double> Shape(int length) => Get(6, length);
    public Span<double> Previous(int length) => Get(7, length);
    public Span<double> Dxs(int length) => Get(8, length);
    public Span<double> Dys(int length) => Get(9, length);
    public Span<double> Shifts(int length) => Get(10, length);
    public Span<double> RowWeights(int length) => Get(11, length);
}
