using System.Runtime.CompilerServices;
using System.Numerics;
using System.Runtime.InteropServices;

namespace MerFactory.AuEngine.Clnf;

/// <summary>
/// One CCNF patch expert (one landmark, one view, one scale): a layer of neurons, each a normalised cross-correlation
/// of an 11x11 template with the contrast-normalised image patch followed by a sigmoid, combined through the
/// CCNF covariance Sigma = (2·(Σα·I + Σβ·S))⁻¹ that couples neighbouring response positions.
/// </summary>
public sealed class CcnfPatchExpert
{
    private readonly float[] _weights;      // neuron-major; each neuron's template (height x width, row-major) times its norm_weights
    private readonly float[] _paddedWeights; // the same, each template padded to a whole number of SIMD vectors
    private readonly int _stride;
    private readonly float[] _biases;
    private readonly float[] _weightSums;   // Σ template per neuron, for normalising patches after the dot product
    private readonly float[] _twiceAlphas;
    private readonly double _alphaSum;
    private readonly double[] _betas;
    private readonly float[]?[] _sigmas = new float[32][];            // computed here, per window size
    private readonly ReadOnlyMemory<float>[] _storedSigmas = new ReadOnlyMemory<float>[32]; // read with a compiled model (left in its mapping)

    internal CcnfPatchExpert(int width, int height, float[] weights, float[] biases, float[] twiceAlphas, double alphaSum, double[] betas, double confidence)
    {
        Width = width;
        Height = height;
        _weights = weights;
        _biases = biases;
        var size = width * height;
        _stride = TemplateCorrelation.Stride(size);
        _paddedWeights = TemplateCorrelation.Pad(weights, size);
        _weightSums = new float[biases.Length];
        for (var n = 0; n < biases.Length; n++)
        {
            var sum = 0.0;
            for (var k = 0; k < size; k++) sum += weights[n * size + k];
            _weightSums[n] = (float)sum;
        }
        _twiceAlphas = twiceAlphas;
        _alphaSum = alphaSum;
        _betas = betas;
        Confidence = confidence;
    }

    public int Width { get; }
    public int Height { get; }

    /// <summary>The expert's reliability, used to weight landmarks in NU-RLMS.</summary>
    public double Confidence { get; }

    /// <summary>Neurons whose weight α is large enough to contribute (OpenFace skips α ≤ 1e-4).</summary>
    public int ActiveNeuronCount => _biases.Length;

    public bool IsEmpty => _biases.Length == 0 && _alphaSum == 0;

    internal void WriteTo(Models.ModelPackWriter writer)
    {
        writer.Write(Width);
        writer.Write(Height);
        writer.Write(_weights);
        writer.Write(_biases);
        writer.Write(_twiceAlphas);
        writer.Write(_alphaSum);
        writer.Write(_betas);
        writer.Write(Confidence);
        WriteSigmas(writer);
    }

    internal static CcnfPatchExpert ReadFrom(Models.ModelPackReader reader)
    {
        var width = reader.ReadInt32();
        var height = reader.ReadInt32();
        var weights = reader.ReadSingles();
        var biases = reader.ReadSingles();
        var twiceAlphas = reader.ReadSingles();
        var alphaSum = reader.ReadDouble();
        var betas = reader.ReadDoubles();
        var confidence = reader.ReadDouble();
        if (width is <= 0 or > 64 || height is <= 0 or > 64 || weights.Length != biases.Length * width * height || twiceAlphas.Length != biases.Length)
            throw reader.Corrupt("patch expert arrays do not fit together");
        var expert = new CcnfPatchExpert(width, height, weights, biases, twiceAlphas, alphaSum, betas, confidence);
        expert.ReadSigmas(reader);
        return expert;
    }

    /// <summary>Reads one expert (type tag 5) from a patch-expert stream.</summary>
    internal static CcnfPatchExpert Read(ClnfBinaryReader reader, int betaCount)
    {
        if (reader.ReadInt32() != 5) throw reader.Corrupt("expected a CCNF patch expert (type 5)");
        var width = reader.ReadInt32();
        var height = reader.ReadInt32();
        var neuronCount = reader.ReadInt32();
        if (width is <= 0 or > 64 || height is <= 0 or > 64 || neuronCount is < 0 or > 1000) throw reader.Corrupt("implausible patch expert header");
        if (neuronCount == 0)
        {
            reader.ReadInt32(); // an empty expert (landmark invisible in this view) carries one padding int
            return new CcnfPatchExpert(width, height, [], [], [], 0, [], 0);
        }

        var size = width * height;
        var weights = new List<float>();
        var biases = new List<float>();
        var twiceAlphas = new List<float>();
        var alphaSum = 0.0;
        for (var i = 0; i < neuronCount; i++)
        {
            if (reader.ReadInt32() != 2) throw reader.Corrupt("expected a CCNF neuron (type 2)");
            var neuronType = reader.ReadInt32();
            if (neuronType != 0) throw reader.Corrupt($"unsupported neuron type {neuronType}");
            var normWeights = reader.ReadDouble();
            var bias = reader.ReadDouble();
            var alpha = reader.ReadDouble();
            var matrix = reader.ReadMatrix();
            if (matrix.Rows != height || matrix.Cols != width) throw reader.Corrupt("neuron template size differs from the patch size");
            alphaSum += alpha;
            if (alpha <= 1e-4) continue;
            for (var k = 0; k < size; k++) weights.Add((float)(matrix.Values[k] * normWeights));
            biases.Add((float)bias);
            twiceAlphas.Add((float)(2 * alpha));
        }

        var betas = new double[betaCount];
        for (var b = 0; b < betaCount; b++) betas[b] = reader.ReadDouble();
        var confidence = reader.ReadDouble();
        return new CcnfPatchExpert(width, height, weights.ToArray(), biases.ToArray(), twiceAlphas.ToArray(), alphaSum, betas, confidence);
    }

    /// <summary>Floats of scratch space <see cref="Response"/> needs for <paramref name="window"/>.</summary>
    public int ScratchLength(int window) => window * window * (_stride + _biases.Length + 3);

    /// <summary>
    /// The response map (window x window, row-major) over an area of interest of (window + size − 1)² pixels:
    /// Σ neurons 2α·σ(w·p̂ + b) over the contrast-normalised patches p̂ (zero mean, unit norm: what TM_CCOEFF_NORMED
    /// computes), multiplied by Sigma and shifted to be ≥ 0. The area is centred on its mean first (normalisation
    /// ignores offsets) and w·p̂ is taken as (w·p − μ·Σw)/‖p − μ‖ so patches are only copied, never rewritten.
    /// <paramref name="area"/> is modified; <paramref name="scratch"/> must hold <see cref="ScratchLength"/> floats.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Response(Span<float> area, int window, ReadOnlySpan<float> sigmaComponentsFlat, int componentCount, Span<float> response, Span<float> scratch)
    {
        var areaSide = window + Width - 1;
        var patchSize = Width * Height;
        var positions = window * window;
        var neurons = _biases.Length;
        var patches = scratch[..(positions * _stride)];
        var dots = scratch.Slice(positions * _stride, positions * neurons);
        var rest = scratch[(positions * (_stride + neurons))..];
        var raw = rest[..positions];
        var means = rest.Slice(positions, positions);
        var inverseNorms = rest.Slice(2 * positions, positions);

        var areaMean = 0f;
        for (var k = 0; k < areaSide * areaSide; k++) areaMean += area[k];
        areaMean /= areaSide * areaSide;
        for (var k = 0; k < areaSide * areaSide; k++) area[k] -= areaMean;

        for (var y = 0; y < window; y++)
        for (var x = 0; x < window; x++)
        {
            var position = y * window + x;
            var patch = patches.Slice(position * _stride, _stride);
            for (var yy = 0; yy < Height; yy++) CopyRow(area, (y + yy) * areaSide + x, patch, yy * Width, Width);
            patch[patchSize..].Clear();
            var (sum, sumSquares) = SumAndSquares(patch);
            var mean = sum / patchSize;
            var normSquared = sumSquares - patchSize * mean * mean;
            means[position] = mean;
            inverseNorms[position] = normSquared > 1e-12f ? 1f / MathF.Sqrt(normSquared) : 1f;
        }

        TemplateCorrelation.Compute(_paddedWeights, neurons, patches, positions, _stride, dots);
        raw.Clear();
        for (var n = 0; n < neurons; n++)
        {
            float bias = _biases[n], twiceAlpha = _twiceAlphas[n], weightSum = _weightSums[n];
            var row = dots.Slice(n * positions, positions);
            for (var p = 0; p < positions; p++)
            {
                var dot = (row[p] - means[p] * weightSum) * inverseNorms[p];
                raw[p] += twiceAlpha / (1f + MathF.Exp(-(dot + bias)));
            }
        }

        var sigma = Sigma(window, sigmaComponentsFlat, componentCount);
        var min = float.MaxValue;
        for (var i = 0; i < positions; i++)
        {
            var value = Dot(sigma.Slice(i * positions, positions), raw);
            response[i] = value;
            if (value < min) min = value;
        }
        if (min < 0)
            for (var i = 0; i < positions; i++) response[i] -= min;
    }

    /// <summary>Computes Sigma for <paramref name="window"/> now (the compiled model stores it) unless it is known.</summary>
    internal void PrepareSigma(int window, ReadOnlySpan<float> components, int componentCount)
    {
        if (!IsEmpty) Sigma(window, components, componentCount);
    }

    /// <summary>The Sigmas known so far (read or computed), to be stored with the model: (window, matrix) pairs.</summary>
    internal void WriteSigmas(Models.ModelPackWriter writer)
    {
        var known = Enumerable.Range(0, _sigmas.Length).Where(w => KnownSigma(w) is not null).ToList();
        writer.Write(known.Count);
        foreach (var window in known)
        {
            writer.Write(window);
            writer.Write(KnownSigma(window)!.Value.Span);
        }
    }

    internal void ReadSigmas(Models.ModelPackReader reader)
    {
        var count = reader.ReadCount(_sigmas.Length);
        for (var i = 0; i < count; i++)
        {
            var window = reader.ReadCount(_sigmas.Length - 1);
            var sigma = reader.ReadSinglesInPlace();
            if (sigma.Length != window * window * window * window) throw reader.Corrupt($"a stored Sigma ({sigma.Length} values) does not fit its window ({window})");
            _storedSigmas[window] = sigma;
        }
    }

    private ReadOnlyMemory<float>? KnownSigma(int window)
    {
        if (!_storedSigmas[window].IsEmpty) return _storedSigmas[window];
        // Not a conditional expression: its null would become an empty ReadOnlyMemory (through T[]), not "unknown".
        if (_sigmas[window] is { } computed) return computed;
        return null;
    }

    /// <summary>Sigma for a window size: stored with the compiled model, or computed once (Cholesky inverse of 2·(Σα·I + Σβₖ·Sₖ)).</summary>
    private ReadOnlySpan<float> Sigma(int window, ReadOnlySpan<float> components, int componentCount)
    {
        if (!_storedSigmas[window].IsEmpty) return _storedSigmas[window].Span;
        var cached = _sigmas[window];
        if (cached is not null) return cached;
        var size = window * window;
        var a = new double[size * size];
        for (var i = 0; i < size; i++) a[i * size + i] = _alphaSum;
        for (var b = 0; b < componentCount && b < _betas.Length; b++)
        {
            var component = components.Slice(b * size * size, size * size);
            for (var k = 0; k < a.Length; k++) a[k] += _betas[b] * component[k];
        }
        for (var k = 0; k < a.Length; k++) a[k] *= 2;
        var inverse = DenseMath.InverseSpd(a, size) ?? throw new InvalidOperationException("CCNF Sigma⁻¹ is not positive definite");
        var sigma = new float[inverse.Length];
        for (var k = 0; k < sigma.Length; k++) sigma[k] = (float)inverse[k];
        Interlocked.CompareExchange(ref _sigmas[window], sigma, null);
        return _sigmas[window]!;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    /// <summary>
    /// Copies a short row (a template is ~11 wide: a general memmove per row cost more than the copy) with whole-vector
    /// moves, the last one overlapping the previous.
    /// </summary>
    private static void CopyRow(ReadOnlySpan<float> source, int from, Span<float> destination, int to, int length)
    {
        var width = Vector<float>.Count;
        if (length < width || source.Length < from + length || destination.Length < to + length)
        {
            source.Slice(from, length).CopyTo(destination.Slice(to, length));
            return;
        }
        ref var s = ref Unsafe.Add(ref MemoryMarshal.GetReference(source), from);
        ref var d = ref Unsafe.Add(ref MemoryMarshal.GetReference(destination), to);
        var k = 0;
        for (; k + width < length; k += width) Vector.LoadUnsafe(ref s, (nuint)k).StoreUnsafe(ref d, (nuint)k);
        Vector.LoadUnsafe(ref s, (nuint)(length - width)).StoreUnsafe(ref d, (nuint)(length - width));
    }

    private static (float Sum, float SumSquares) SumAndSquares(ReadOnlySpan<float> values)
    {
        var vectors = MemoryMarshal.Cast<float, Vector<float>>(values);
        Vector<float> sum = Vector<float>.Zero, squares = Vector<float>.Zero;
        foreach (var v in vectors)
        {
            sum += v;
            squares += v * v;
        }
        float s = Vector.Sum(sum), q = Vector.Sum(squares);
        for (var i = vectors.Length * Vector<float>.Count; i < values.Length; i++)
        {
            s += values[i];
            q += values[i] * values[i];
        }
        return (s, q);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var width = Vector<float>.Count;
        var acc = Vector<float>.Zero;
        var i = 0;
        var va = MemoryMarshal.Cast<float, Vector<float>>(a);
        var vb = MemoryMarshal.Cast<float, Vector<float>>(b);
        for (var k = 0; k < va.Length; k++) acc += va[k] * vb[k];
        i = va.Length * width;
        var sum = Vector.Sum(acc);
        for (; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }
}
