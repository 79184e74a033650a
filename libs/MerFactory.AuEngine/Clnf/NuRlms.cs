namespace MerFactory.AuEngine.Clnf;

/// <summary>
/// One NU-RLMS pass (CLNF::NU_RLMS): iterate mean-shifts of the response maps, projected on the (weighted) PDM
/// Jacobian, with Tikhonov regularisation of the shape parameters (reg/eigenvalue) in the non-rigid pass; stops when
/// the shape moves less than 0.01 px (norm). Returns the mean log-likelihood of the landmarks under their responses.
/// </summary>
internal sealed class NuRlms(ClnfPdm pdm, float[][] responses, double[] baseShape, double[] toRef, double[] toImage,
    int window, bool[] visible, double[] weights, ClnfFitParameters parameters)
{
    public double Optimise(ClnfFitState state, bool rigid)
    {
        var n = pdm.PointCount;
        var m = pdm.ModeCount;
        var p = rigid ? 6 : 6 + m;
        var jacobian = new double[2 * n * p];
        var hessian = new double[p * p];
        var gradient = new double[p];
        var update = new double[p];
        var factor = new double[p * p];
        var shape = new double[2 * n];
        var previous = new double[2 * n];
        var dxs = new double[n];
        var dys = new double[n];
        var shifts = new double[2 * n];
        var centre = (window - 1) / 2;
        var eigen = pdm.EigenValues;

        for (var iter = 0; iter < parameters.Iterations; iter++)
        {
            pdm.Shape2D(state.Local, state.Pose, shape);
            if (iter > 0 && Distance(shape, previous) < 0.01) break;
            shape.CopyTo(previous, 0);

            pdm.Jacobian(state.Local, state.Pose, rigid, jacobian);
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

            Array.Clear(hessian);
            Array.Clear(gradient);
            for (var row = 0; row < 2 * n; row++)
            {
                var point = row % n;
                if (!visible[point]) continue;
                var w = weights[point];
                var j = jacobian.AsSpan(row * p, p);
                var shift = shifts[row];
                for (var a = 0; a < p; a++)
                {
                    var wa = w * j[a];
                    if (wa == 0) continue;
                    gradient[a] += wa * shift;
                    for (var b = a; b < p; b++) hessian[a * p + b] += wa * j[b];
                }
            }
            for (var a = 0; a < p; a++)
            for (var b = 0; b < a; b++) hessian[a * p + b] = hessian[b * p + a];
            if (!rigid)
            {
                for (var k = 0; k < m; k++)
                {
                    var reg = parameters.RegFactor / eigen[k];
                    hessian[(6 + k) * p + 6 + k] += reg;
                    gradient[6 + k] -= reg * state.Local[k];
                }
            }
            if (!DenseMath.SolveSpd(hessian, p, gradient, update, factor)) Array.Clear(update);
            pdm.Update(update, state.Local, ref state.Pose);
            pdm.Clamp(state.Local);
        }

        return LogLikelihood(dxs, dys);
    }

    private double LogLikelihood(double[] dxs, double[] dys)
    {
        var n = visible.Length;
        var total = 0.0;
        var count = 0;
        var denominator = 2 * parameters.Sigma * parameters.Sigma;
        for (var i = 0; i < n; i++)
        {
            if (!visible[i]) continue;
            count++;
            var response = responses[i];
            double sum = 0;
            var k = 0;
            for (var ii = 0; ii < window; ii++)
            {
                var vx = (dys[i] - ii) * (dys[i] - ii);
                for (var jj = 0; jj < window; jj++, k++)
                {
                    var vy = (dxs[i] - jj) * (dxs[i] - jj);
                    sum += response[k] * Math.Exp(-(vx + vy) / denominator);
                }
            }
            total += Math.Log(sum + 1e-8);
        }
        return count == 0 ? total : total / count;
    }

    private static double Distance(double[] a, double[] b)
    {
        var sum = 0.0;
        for (var i = 0; i < a.Length; i++) sum += (a[i] - b[i]) * (a[i] - b[i]);
        return Math.Sqrt(sum);
    }
}
