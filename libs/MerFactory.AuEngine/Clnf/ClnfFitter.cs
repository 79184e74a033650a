namespace MerFactory.AuEngine.Clnf;

/// <summary>
/// OpenFace's CLNF fit of one model (CLNF::Fit): for each scale with a window, compute the CCNF response maps around
/// the current landmarks in the reference frame of the patch experts, then a rigid and a non-rigid NU-RLMS pass of
/// KDE mean-shift and regularised Gauss-Newton updates of the PDM parameters. One instance per thread (scratch buffers).
/// </summary>
public sealed class ClnfFitter
{
    private const int MaxPoints = 68;
    private readonly float[][] _responses = Enumerable.Range(0, MaxPoints).Select(_ => new float[31 * 31]).ToArray();
    // The landmarks' responses are independent: two interleaved halves run at once (the fit is the sequential part of
    // tracking a video), each with its own sampling and scratch buffers.
    private static readonly int Lanes = Math.Min(2, Environment.ProcessorCount);
    private readonly NuRlmsScratch _scratch = new();
    private readonly ResponseBuffers[] _buffers = Enumerable.Range(0, Lanes).Select(_ => new ResponseBuffers()).ToArray();

    private sealed class ResponseBuffers
    {
        public float[] Area = new float[64 * 64];
        public float[] Scratch = new float[1];
    }

    /// <summary>Fits <paramref name="state"/> in place; false when the face is too small to fit (scale &lt; 0.25).</summary>
    public bool Fit(ClnfPatchModel model, GrayImage image, ClnfFitState state, IReadOnlyList<int> windows, ClnfFitParameters parameters)
    {
        var pdm = model.Pdm;
        var n = pdm.PointCount;
        var baseShape = new double[2 * n];
        for (var scale = 0; scale < model.Scales.Count; scale++)
        {
            var window = scale < windows.Count ? windows[scale] : 0;
            var experts = model.Scales[scale];
            // OpenFace 2017 skips scales whose patches would need the face upsampled.
            if (window == 0 || 0.9 * experts.PatchScaling > state.Pose.Scale) continue;

            var view = experts.ViewIndex(state.Pose.Rx, state.Pose.Ry, state.Pose.Rz);
            var visible = experts.Visibility[view];
            var (toRef, toImage) = Responses(experts, pdm, image, state, window, view);

            var tuned = parameters;
            if (parameters.RefineParameters)
            {
                var octaves = Math.Log(experts.PatchScaling / 0.25) / Math.Log(2);
                tuned = parameters with
                {
                    RegFactor = Math.Max(0.001, parameters.RegFactor - 15 * octaves),
                    Sigma = parameters.Sigma + 0.25 * octaves,
                    WeightFactor = parameters.WeightFactor + 2 * parameters.WeightFactor * octaves,
                };
            }

            pdm.Shape2D(state.Local, state.Pose, baseShape);
            var weights = Weights(experts.Experts[view], tuned.WeightFactor);
            var rlms = new NuRlms(pdm, _responses, baseShape, toRef, toImage, window, visible, weights, tuned, _scratch);
            rlms.Optimise(state, rigid: true);
            state.Likelihood = rlms.Optimise(state, rigid: false);
            if (state.Pose.Scale < 0.25) return false;
        }
        return true;
    }

    private static double[] Weights(CcnfPatchExpert[] experts, double weightFactor)
    {
        var w = new double[experts.Length];
        for (var i = 0; i < w.Length; i++) w[i] = weightFactor > 0 ? weightFactor * experts[i].Confidence : 1;
        return w;
    }

    /// <summary>Response maps for every visible landmark; returns the image↔reference similarities (2x2, row-major).</summary>
    private (double[] ToRef, double[] ToImage) Responses(CcnfScale experts, ClnfPdm pdm, GrayImage image, ClnfFitState state, int window, int view)
    {
        var n = pdm.PointCount;
        var imageShape = pdm.Shape2D(state.Local, state.Pose);
        var referenceShape = pdm.Shape2D(state.Local, new PdmPose(experts.PatchScaling, 0, 0, 0, 0, 0));
        var toRef = Similarity.AlignWithScale(imageShape, referenceShape, n);
        var toImage = Similarity.Invert(toRef);
        double a1 = toImage[0], b1 = -toImage[1];
        var (components, componentCount) = experts.SigmaComponents(window);
        void Lane(int lane)
        {
            var buffers = _buffers[lane];
            for (var i = lane; i < n; i += Lanes)
            {
                if (!experts.Visibility[view][i]) continue;
                var expert = experts.Experts[view][i];
                var side = window + expert.Width - 1;
                if (buffers.Area.Length < side * side) buffers.Area = new float[side * side];
                var need = expert.ScratchLength(window);
                if (buffers.Scratch.Length < need) buffers.Scratch = new float[need];
                image.SampleSquare(imageShape[i], imageShape[i + n], a1, b1, side, buffers.Area);
                expert.Response(buffers.Area.AsSpan(0, side * side), window, components, componentCount, _responses[i], buffers.Scratch);
            }
        }
        if (Lanes == 1) Lane(0);
        else Parallel.For(0, Lanes, Lane);
        return (toRef, toImage);
    }
}
