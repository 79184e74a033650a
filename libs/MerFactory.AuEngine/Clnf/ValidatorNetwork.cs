using System.Runtime.CompilerServices;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using MerFactory.AuEngine.Models;

namespace MerFactory.AuEngine.Clnf;

/// <summary>One layer of the validator's network, as OpenFace's file names them (0 convolution, 1 max pooling, 2 fully connected, 3 ReLU, 4 sigmoid).</summary>
public enum ValidatorLayerKind { Convolution = 0, MaxPooling = 1, FullyConnected = 2, Relu = 3, Sigmoid = 4 }

/// <summary>
/// A layer's weights: a convolution holds one bias per output map and a (kernel height × kernel width) kernel per
/// input and output map (index input·Outputs + output); a fully connected layer holds an (inputs × outputs) matrix,
/// row-major, and one bias per output.
/// </summary>
public sealed record ValidatorLayer(ValidatorLayerKind Kind, int Inputs = 0, int Outputs = 0, int KernelHeight = 0, int KernelWidth = 0,
    float[]? Weights = null, float[]? Biases = null)
{
    private float[]? _tapMajor;

    /// <summary>A convolution's weights ordered input, kernel row, kernel column, then output map (the order the forward pass reads them).</summary>
    internal float[] TapMajorWeights => _tapMajor ??= TapMajor();

    private float[] TapMajor()
    {
        var taps = KernelHeight * KernelWidth;
        var result = new float[Weights!.Length];
        for (var i = 0; i < Inputs; i++)
            for (var k = 0; k < Outputs; k++)
                for (var t = 0; t < taps; t++)
                    result[(i * taps + t) * Outputs + k] = Weights[(i * Outputs + k) * taps + t];
        return result;
    }
}

/// <summary>
/// The forward pass of OpenFace's validator CNN (CNN_utils: convolution_direct_blas, max_pooling, fully_connected):
/// valid cross-correlations with a bias per output map, 2×2 max pooling with stride 2, fully connected layers that
/// read their input maps column by column, ReLU and sigmoid. Returns the output vector of the last layer.
/// </summary>
internal static class ValidatorNetwork
{
    /// <summary>A feature map, row-major.</summary>
    public sealed record Map(float[] Values, int Rows, int Cols);

    public static float[] Forward(IReadOnlyList<ValidatorLayer> layers, Map input)
    {
        var maps = new List<Map> { input };
        float[]? vector = null; // once a fully connected layer ran, the data is a vector
        foreach (var layer in layers)
        {
            switch (layer.Kind)
            {
                case ValidatorLayerKind.Convolution:
                    maps = Convolve(maps, layer);
                    break;
                case ValidatorLayerKind.MaxPooling:
                    maps = maps.Select(MaxPool).ToList();
                    break;
                case ValidatorLayerKind.FullyConnected:
                    vector = FullyConnected(vector ?? Flatten(maps), layer);
                    break;
                case ValidatorLayerKind.Relu:
                    foreach (var values in Values(vector, maps)) TensorPrimitives.Max(values, 0f, values);
                    break;
                case ValidatorLayerKind.Sigmoid:
                    foreach (var values in Values(vector, maps)) TensorPrimitives.Sigmoid(values, values);
                    break;
            }
        }
        return vector ?? Flatten(maps);
    }

    /// <summary>An element-wise activation on the vector, or on every map while the data are still maps.</summary>
    private static IEnumerable<float[]> Values(float[]? vector, List<Map> maps) => vector is not null ? [vector] : maps.Select(m => m.Values);

    /// <summary>
    /// Each output map: its bias plus every input map cross-correlated with that pair's kernel, valid region only.
    /// Eight output columns at a time, four output maps at a time.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static List<Map> Convolve(List<Map> inputs, ValidatorLayer layer)
    {
        if (inputs.Count != layer.Inputs) throw new InvalidOperationException($"convolution expects {layer.Inputs} maps, got {inputs.Count}");
        int kh = layer.KernelHeight, kw = layer.KernelWidth, outputs = layer.Outputs, taps = kh * kw;
        int rows = inputs[0].Rows - kh + 1, cols = inputs[0].Cols - kw + 1;
        var chunks = (cols + 7) / 8;
        var stride = chunks * 8 + kw - 1; // padded input rows: the last chunk may read past the valid columns
        var padded = new float[inputs.Count][];
        for (var i = 0; i < inputs.Count; i++)
        {
            var map = inputs[i];
            padded[i] = new float[map.Rows * stride];
            for (var y = 0; y < map.Rows; y++) map.Values.AsSpan(y * map.Cols, map.Cols).CopyTo(padded[i].AsSpan(y * stride));
        }
        var weights = layer.TapMajorWeights;
        var results = new float[outputs][];
        for (var k = 0; k < outputs; k++) results[k] = new float[rows * cols];
        Span<float> lanes = stackalloc float[8];
        // Four output maps at a time keep their sums in registers; the input vector is read once per group.
        for (var k0 = 0; k0 < outputs; k0 += 4)
        {
            var group = Math.Min(4, outputs - k0);
            for (var y = 0; y < rows; y++)
                for (var c = 0; c < chunks; c++)
                {
                    var s0 = Vector256.Create(layer.Biases![k0]);
                    var s1 = group > 1 ? Vector256.Create(layer.Biases[k0 + 1]) : default;
                    var s2 = group > 2 ? Vector256.Create(layer.Biases[k0 + 2]) : default;
                    var s3 = group > 3 ? Vector256.Create(layer.Biases[k0 + 3]) : default;
                    for (var i = 0; i < inputs.Count; i++)
                        for (var yy = 0; yy < kh; yy++)
                        {
                            var row = padded[i].AsSpan((y + yy) * stride + c * 8);
                            var tapWeights = weights.AsSpan((i * kh + yy) * kw * outputs + k0);
                            for (var xx = 0; xx < kw; xx++)
                            {
                                var v = Vector256.Create<float>(row.Slice(xx, 8));
                                var w = tapWeights.Slice(xx * outputs, group);
                                s0 += v * Vector256.Create(w[0]);
                                if (group > 1) s1 += v * Vector256.Create(w[1]);
                                if (group > 2) s2 += v * Vector256.Create(w[2]);
                                if (group > 3) s3 += v * Vector256.Create(w[3]);
                            }
                        }
                    var valid = Math.Min(8, cols - c * 8);
                    ReadOnlySpan<Vector256<float>> sums = [s0, s1, s2, s3];
                    for (var g = 0; g < group; g++)
                    {
                        sums[g].CopyTo(lanes);
                        lanes[..valid].CopyTo(results[k0 + g].AsSpan(y * cols + c * 8));
                    }
                }
        }
        return results.Select(values => new Map(values, rows, cols)).ToList();
    }

    /// <summary>2×2 max pooling with stride 2; the output size rounds as Caffe's does.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Map MaxPool(Map input)
    {
        int rows = (int)Math.Round((input.Rows - 2) / 2.0f) + 1, cols = (int)Math.Round((input.Cols - 2) / 2.0f) + 1;
        var output = new float[rows * cols];
        for (var y = 0; y < rows; y++)
            for (var x = 0; x < cols; x++)
            {
                var max = float.MinValue;
                for (var yy = 2 * y; yy < Math.Min(input.Rows, 2 * y + 2); yy++)
                    for (var xx = 2 * x; xx < Math.Min(input.Cols, 2 * x + 2); xx++)
                        max = Math.Max(max, input.Values[yy * input.Cols + xx]);
                output[y * cols + x] = max;
            }
        return new Map(output, rows, cols);
    }

    /// <summary>The maps concatenated, each read column by column (OpenFace transposes each map before flattening).</summary>
    private static float[] Flatten(List<Map> maps)
    {
        var result = new float[maps.Sum(m => m.Values.Length)];
        var at = 0;
        foreach (var map in maps)
            for (var x = 0; x < map.Cols; x++)
                for (var y = 0; y < map.Rows; y++)
                    result[at++] = map.Values[y * map.Cols + x];
        return result;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float[] FullyConnected(float[] input, ValidatorLayer layer)
    {
        if (input.Length != layer.Inputs) throw new InvalidOperationException($"fully connected layer expects {layer.Inputs} values, got {input.Length}");
        var output = (float[])layer.Biases!.Clone();
        var weights = layer.Weights!;
        for (var i = 0; i < layer.Inputs; i++)
            if (input[i] != 0) TensorPrimitives.MultiplyAdd(weights.AsSpan(i * layer.Outputs, layer.Outputs), input[i], output, output);
        return output;
    }

    internal static void Write(ModelPackWriter writer, ValidatorLayer layer)
    {
        writer.Write((int)layer.Kind);
        writer.Write(layer.Inputs);
        writer.Write(layer.Outputs);
        writer.Write(layer.KernelHeight);
        writer.Write(layer.KernelWidth);
        writer.Write(layer.Weights ?? []);
        writer.Write(layer.Biases ?? []);
    }

    internal static ValidatorLayer Read(ModelPackReader reader)
    {
        var kind = (ValidatorLayerKind)reader.ReadInt32();
        int inputs = reader.ReadInt32(), outputs = reader.ReadInt32(), kh = reader.ReadInt32(), kw = reader.ReadInt32();
        var layer = new ValidatorLayer(kind, inputs, outputs, kh, kw, reader.ReadSingles(), reader.ReadSingles());
        return Consistent(layer) ? layer : throw reader.Corrupt($"inconsistent validator layer {kind}");
    }

    /// <summary>Whether a layer's weights have the sizes its shape implies.</summary>
    internal static bool Consistent(ValidatorLayer layer) => layer.Kind switch
    {
        ValidatorLayerKind.Convolution => layer is { Inputs: > 0, Outputs: > 0, KernelHeight: > 0, KernelWidth: > 0 }
            && layer.Weights!.Length == layer.Inputs * layer.Outputs * layer.KernelHeight * layer.KernelWidth && layer.Biases!.Length == layer.Outputs,
        ValidatorLayerKind.FullyConnected => layer is { Inputs: > 0, Outputs: > 0 }
            && layer.Weights!.Length == layer.Inputs * layer.Outputs && layer.Biases!.Length == layer.Outputs,
        ValidatorLayerKind.MaxPooling or ValidatorLayerKind.Relu or ValidatorLayerKind.Sigmoid => true,
        _ => false,
    };
}
