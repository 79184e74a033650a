using MerFactory.AuEngine.Models;

namespace MerFactory.AuEngine.Clnf;

/// <summary>One view of the validator: the head orientation it was trained for, its warp, normalisation and network.</summary>
public sealed record ValidatorView(double Rx, double Ry, double Rz, PiecewiseAffineWarp Warp, float[] Mean, float[] StandardDeviation,
    IReadOnlyList<ValidatorLayer> Layers);

/// <summary>
/// OpenFace's landmark detection validator (DetectionValidator, "validator_cnn.txt", type 3): after a fit, the face
/// under the landmarks is warped to the view's mean shape, normalised (per face, then per pixel), and a small CNN
/// classifies it into bins of the alignment error; the bin becomes a certainty in [0, 1]. OpenFace counts a fit as a
/// face above <see cref="ValidationBoundary"/> (FaceModelParameters.validation_boundary), and its CSV's
/// <c>confidence</c> is this certainty.
/// </summary>
public sealed class DetectionValidator(IReadOnlyList<ValidatorView> views)
{
    public const string FileName = "validator_cnn.txt";
    public const double ValidationBoundary = 0.725;

    public IReadOnlyList<ValidatorView> Views { get; } = views;

    /// <summary>The view nearest to the head rotation (Euclidean distance of the Euler angles, in radians).</summary>
    public int ViewFor(double rx, double ry, double rz)
    {
        var best = 0;
        var bestDistance = double.MaxValue;
        for (var i = 0; i < Views.Count; i++)
        {
            var v = Views[i];
            var d = Math.Sqrt((rx - v.Rx) * (rx - v.Rx) + (ry - v.Ry) * (ry - v.Ry) + (rz - v.Rz) * (rz - v.Rz));
            if (d < bestDistance) (best, bestDistance) = (i, d);
        }
        return best;
    }

    /// <summary>
    /// The certainty (0 = surely not an aligned face, 1 = surely one) of <paramref name="landmarks"/> (x0..xn, y0..yn)
    /// on <paramref name="image"/> for a head with rotation <paramref name="rx"/>, <paramref name="ry"/>, <paramref name="rz"/>.
    /// </summary>
    public double Check(GrayImage image, ReadOnlySpan<double> landmarks, double rx, double ry, double rz)
    {
        var view = Views[ViewFor(rx, ry, rz)];
        var bounds = Alignment.LandmarkBounds.Of(landmarks);
        // OpenFace warps only the landmarks' area (and 3 pixels for the interpolation): none of it means no face.
        int minX = Math.Max((int)(bounds.MinX - 3), 0), minY = Math.Max((int)(bounds.MinY - 3), 0);
        int maxX = Math.Min((int)(bounds.MaxX + 3), image.Width - 1), maxY = Math.Min((int)(bounds.MaxY + 3), image.Height - 1);
        if (maxX - minX <= 1 || maxY - minY <= 1) return 0; // all landmarks outside the image
        var scores = ValidatorNetwork.Forward(view.Layers, Normalise(view.Warp.Warp(image, landmarks), view));
        // The network's argmax is a bin of an error in [−1, 1]; its centre, mapped so 1 means "aligned".
        var bin = 0;
        for (var i = 1; i < scores.Length; i++) if (scores[i] > scores[bin]) bin = i;
        var step = 2.0 / scores.Length;
        var error = -1 + step / 2 + bin * step;
        return 0.5 * (1 - error);
    }

    /// <summary>
    /// The masked pixels (read column by column), standardised over the face, then per pixel with the view's mean and
    /// deviation, written back into an otherwise zero image of the warp's size.
    /// </summary>
    private static ValidatorNetwork.Map Normalise(float[] pixels, ValidatorView view)
    {
        var warp = view.Warp;
        int width = warp.Width, height = warp.Height;
        var values = new float[warp.PixelCount];
        var n = 0;
        for (var x = 0; x < width; x++)
            for (var y = 0; y < height; y++)
                if (warp.InMask(x, y)) values[n++] = pixels[y * width + x];
        double mean = 0, squares = 0;
        foreach (var v in values) mean += v;
        mean /= n;
        foreach (var v in values) squares += (v - mean) * (v - mean);
        var deviation = Math.Sqrt(squares / n);
        if (deviation == 0) deviation = 1;
        var image = new float[width * height];
        n = 0;
        for (var x = 0; x < width; x++)
            for (var y = 0; y < height; y++)
                if (warp.InMask(x, y))
                {
                    var standardised = (float)((values[n] - mean) / deviation);
                    image[y * width + x] = (standardised - view.Mean[n]) / view.StandardDeviation[n];
                    n++;
                }
        return new ValidatorNetwork.Map(image, height, width);
    }

    /// <summary>Reads OpenFace's binary validator file (type 3: CNN per view).</summary>
    /// <exception cref="ModelNotFoundException">The file is missing; the message names the install command.</exception>
    /// <exception cref="CorruptModelException">The file is not a type-3 validator or is truncated.</exception>
    public static DetectionValidator Read(string path)
    {
        var reader = ClnfBinaryReader.Open(path);
        var type = reader.ReadInt32();
        if (type != 3) throw reader.Corrupt($"validator type {type}; only the CNN validator (type 3) is supported");
        var count = reader.ReadInt32();
        if (count is <= 0 or > 64) throw reader.Corrupt($"implausible view count {count}");
        var orientations = new double[count][];
        for (var i = 0; i < count; i++)
        {
            var o = reader.ReadMatrix();
            if (o.Values.Length != 3) throw reader.Corrupt("an orientation is not 3 angles");
            orientations[i] = o.Values.Select(d => d * Math.PI / 180).ToArray();
        }
        var views = new ValidatorView[count];
        for (var i = 0; i < count; i++)
        {
            var mean = reader.ReadMatrix().Values.Select(v => (float)v).ToArray();
            var deviation = reader.ReadMatrix().Values.Select(v => (float)v).ToArray();
            var layers = new ValidatorLayer[reader.ReadInt32()];
            if (layers.Length is <= 0 or > 64) throw reader.Corrupt($"implausible network depth {layers.Length}");
            for (var l = 0; l < layers.Length; l++) layers[l] = ReadLayer(reader);
            var warp = PiecewiseAffineWarp.Read(reader);
            if (mean.Length != warp.PixelCount || deviation.Length != warp.PixelCount) throw reader.Corrupt("normalisation and warp disagree on the pixel count");
            views[i] = new ValidatorView(orientations[i][0], orientations[i][1], orientations[i][2], warp, mean, deviation, layers);
        }
        if (!reader.AtEnd) throw reader.Corrupt("unexpected trailing bytes");
        return new DetectionValidator(views);
    }

    private static ValidatorLayer ReadLayer(ClnfBinaryReader reader)
    {
        var kind = (ValidatorLayerKind)reader.ReadInt32();
        ValidatorLayer layer;
        switch (kind)
        {
            case ValidatorLayerKind.Convolution:
                int inputs = reader.ReadInt32(), outputs = reader.ReadInt32();
                if (inputs is <= 0 or > 4096 || outputs is <= 0 or > 4096) throw reader.Corrupt("implausible convolution size");
                var biases = new float[outputs];
                for (var k = 0; k < outputs; k++) biases[k] = reader.ReadSingle();
                var kernels = new BinMatrix[inputs * outputs];
                for (var k = 0; k < kernels.Length; k++) kernels[k] = reader.ReadMatrix();
                int kh = kernels[0].Rows, kw = kernels[0].Cols;
                if (kernels.Any(k => k.Rows != kh || k.Cols != kw)) throw reader.Corrupt("kernels of different sizes in one layer");
                layer = new ValidatorLayer(kind, inputs, outputs, kh, kw, kernels.SelectMany(k => k.Values).Select(v => (float)v).ToArray(), biases);
                break;
            case ValidatorLayerKind.FullyConnected:
                var bias = reader.ReadMatrix();
                var weights = reader.ReadMatrix();
                layer = new ValidatorLayer(kind, weights.Rows, weights.Cols, Weights: weights.Values.Select(v => (float)v).ToArray(),
                    Biases: bias.Values.Select(v => (float)v).ToArray());
                break;
            default:
                layer = new ValidatorLayer(kind);
                break;
        }
        return ValidatorNetwork.Consistent(layer) ? layer : throw reader.Corrupt($"inconsistent validator layer {kind}");
    }

    internal void WriteTo(ModelPackWriter writer)
    {
        writer.Write(Views.Count);
        foreach (var view in Views)
        {
            writer.Write([view.Rx, view.Ry, view.Rz]);
            writer.Write(view.Mean);
            writer.Write(view.StandardDeviation);
            writer.Write(view.Layers.Count);
            foreach (var layer in view.Layers) ValidatorNetwork.Write(writer, layer);
            view.Warp.WriteTo(writer);
        }
    }

    internal static DetectionValidator ReadFrom(ModelPackReader reader)
    {
        var views = new ValidatorView[reader.ReadCount(64)];
        for (var i = 0; i < views.Length; i++)
        {
            var angles = reader.ReadDoubles();
            var mean = reader.ReadSingles();
            var deviation = reader.ReadSingles();
            var layers = new ValidatorLayer[reader.ReadCount(64)];
            for (var l = 0; l < layers.Length; l++) layers[l] = ValidatorNetwork.Read(reader);
            var warp = PiecewiseAffineWarp.ReadFrom(reader);
            if (angles.Length != 3 || mean.Length != warp.PixelCount || deviation.Length != warp.PixelCount)
                throw reader.Corrupt("inconsistent validator view");
            views[i] = new ValidatorView(angles[0], angles[1], angles[2], warp, mean, deviation, layers);
        }
        return new DetectionValidator(views);
    }
}
