using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MerFactory.Speech.Vad;

/// <summary>Settings for <see cref="SileroVad"/>; defaults follow Silero's own <c>get_speech_timestamps</c>.</summary>
public sealed class SileroVadOptions
{
    /// <summary>Path of <c>silero_vad.onnx</c> (v4 with h/c state or v5 with a single state tensor).</summary>
    public string ModelPath { get; set; } = "silero_vad.onnx";

    /// <summary>Speech probability at which speech starts.</summary>
    public float Threshold { get; set; } = 0.5f;

    /// <summary>Speech ends once the probability falls below this (hysteresis); defaults to Threshold − 0.15.</summary>
    public float? NegativeThreshold { get; set; }

    public double MinSpeechSeconds { get; set; } = 0.25;
    public double MinSilenceSeconds { get; set; } = 0.1;
    public double SpeechPadSeconds { get; set; } = 0.03;

    /// <summary>Longer speech is cut (at the last silence if there was one) so engines get bounded chunks.</summary>
    public double MaxSpeechSeconds { get; set; } = 30;
}

/// <summary>One stretch of speech in seconds from the start of the audio.</summary>
public sealed record SpeechSegment(double Start, double End)
{
    public double Duration => End - Start;
}

/// <summary>Voice activity for one buffer: speech segments plus the per-window probabilities.</summary>
public sealed record VadResult(IReadOnlyList<SpeechSegment> Segments, float[] Probabilities, double WindowSeconds, double DurationSeconds)
{
    public bool HasSpeech => Segments.Count > 0;
    public double SpeechSeconds => Segments.Sum(s => s.Duration);
}

/// <summary>
/// Silero voice-activity detector on OnnxRuntime over 16 kHz mono audio in 512-sample windows. The session is
/// thread-safe; the recurrent state lives per call.
/// </summary>
public sealed class SileroVad : IDisposable
{
    private const int SampleRate = 16_000;
    private const int WindowSamples = 512;
    private const int V5ContextSamples = 64; // v5 expects the previous window's last 64 samples in front
    private readonly SileroVadOptions _options;
    private readonly InferenceSession _session;
    private readonly bool _isV5;

    public SileroVad(IOptions<SileroVadOptions> options)
    {
        _options = options.Value;
        if (!File.Exists(_options.ModelPath))
        {
            throw new FileNotFoundException($"Silero VAD model not found at '{_options.ModelPath}'. Install it with `merfactory models install silero-vad`.", _options.ModelPath);
        }
        try
        {
            _session = new InferenceSession(_options.ModelPath, new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 });
        }
        catch (OnnxRuntimeException ex)
        {
            throw new InvalidDataException($"Silero VAD model '{_options.ModelPath}' cannot be loaded: {ex.Message}", ex);
        }
        var inputs = _session.InputMetadata.Keys.ToHashSet(StringComparer.Ordinal);
        _isV5 = inputs.Contains("state");
        if (!inputs.Contains("input") || !inputs.Contains("sr") || !(_isV5 || (inputs.Contains("h") && inputs.Contains("c"))))
        {
            throw new InvalidDataException($"'{_options.ModelPath}' is not a Silero VAD model (inputs: {string.Join(", ", inputs)}).");
        }
    }

    public SileroVad(string modelPath) : this(Options.Create(new SileroVadOptions { ModelPath = modelPath })) { }

    public string ModelId => $"{Path.GetFileName(_options.ModelPath)} ({(_isV5 ? "v5" : "v4")})";

    public VadResult Detect(ReadOnlySpan<float> samples16k, CancellationToken cancellationToken = default)
    {
        var probabilities = SpeechProbabilities(samples16k, cancellationToken);
        var segments = Segment(probabilities, samples16k.Length, _options);
        return new VadResult(segments, probabilities, WindowSamples / (double)SampleRate, samples16k.Length / (double)SampleRate);
    }

    /// <summary>Speech probability of each 512-sample (32 ms) window; the last partial window is zero-padded.</summary>
    public float[] SpeechProbabilities(ReadOnlySpan<float> samples16k, CancellationToken cancellationToken = default)
    {
        var windows = (samples16k.Length + WindowSamples - 1) / WindowSamples;
        var probabilities = new float[windows];
        var context = _isV5 ? V5ContextSamples : 0;
        var input = new DenseTensor<float>([1, WindowSamples + context]);
        var sampleRate = new DenseTensor<long>(new[] { (long)SampleRate }, []);
        var stateShape = _isV5 ? new[] { 2, 1, 128 } : new[] { 2, 1, 64 };
        var h = new DenseTensor<float>(stateShape);
        var c = new DenseTensor<float>(stateShape);
        var buffer = input.Buffer.Span;

        for (var w = 0; w < windows; w++)
        {
            if ((w & 63) == 0) cancellationToken.ThrowIfCancellationRequested();
            if (context > 0) buffer[WindowSamples..].CopyTo(buffer[..context]); // carry the context forward
            var start = w * WindowSamples;
            var count = Math.Min(WindowSamples, samples16k.Length - start);
            var target = buffer.Slice(context, WindowSamples);
            samples16k.Slice(start, count).CopyTo(target);
            target[count..].Clear();

            var feeds = _isV5
                ? new List<NamedOnnxValue> { NamedOnnxValue.CreateFromTensor("input", input), NamedOnnxValue.CreateFromTensor("state", h), NamedOnnxValue.CreateFromTensor("sr", sampleRate) }
                : new List<NamedOnnxValue> { NamedOnnxValue.CreateFromTensor("input", input), NamedOnnxValue.CreateFromTensor("sr", sampleRate), NamedOnnxValue.CreateFromTensor("h", h), NamedOnnxValue.CreateFromTensor("c", c) };
            using var results = _session.Run(feeds);
            foreach (var result in results)
            {
                var tensor = result.AsTensor<float>();
                switch (result.Name)
                {
                    case "output": probabilities[w] = tensor.GetValue(0); break;
                    case "hn" or "stateN": CopyInto(tensor, h); break;
                    case "cn": CopyInto(tensor, c); break;
                }
            }
        }
        return probabilities;
    }

    private static void CopyInto(Tensor<float> source, DenseTensor<float> target)
    {
        var span = target.Buffer.Span;
        for (var i = 0; i < span.Length; i++) span[i] = source.GetValue(i);
    }

    /// <summary>Turns window probabilities into padded speech segments (hysteresis, minimum lengths, maximum length).</summary>
    internal static List<SpeechSegment> Segment(float[] probabilities, int sampleCount, SileroVadOptions options)
    {
        var window = WindowSamples / (double)SampleRate;
        var duration = sampleCount / (double)SampleRate;
        var negativeThreshold = options.NegativeThreshold ?? Math.Max(options.Threshold - 0.15f, 0.01f);
        var raw = new List<(double Start, double End)>();
        var triggered = false;
        double start = 0, silenceStart = -1, lastSilenceStart = -1;

        for (var w = 0; w < probabilities.Length; w++)
        {
            var time = w * window;
            var p = probabilities[w];
            if (p >= options.Threshold && silenceStart >= 0)
            {
                lastSilenceStart = silenceStart; // remember a possible cut point for over-long speech
                silenceStart = -1;
            }
            if (!triggered)
            {
                if (p >= options.Threshold) { triggered = true; start = time; lastSilenceStart = -1; }
                continue;
            }
            if (time - start > options.MaxSpeechSeconds)
            {
                var cut = lastSilenceStart > start ? lastSilenceStart : time;
                raw.Add((start, cut));
                start = cut;
                lastSilenceStart = -1;
                silenceStart = -1;
                if (cut == time && p < options.Threshold) triggered = false;
                continue;
            }
            if (p < negativeThreshold)
            {
                if (silenceStart < 0) silenceStart = time;
                if (time + window - silenceStart >= options.MinSilenceSeconds)
                {
                    raw.Add((start, silenceStart));
                    triggered = false;
                    silenceStart = -1;
                }
            }
        }
        if (triggered) raw.Add((start, duration));

        var segments = new List<SpeechSegment>();
        foreach (var (s, e) in raw.Where(r => r.End - r.Start >= options.MinSpeechSeconds))
        {
            var paddedStart = Math.Max(0, s - options.SpeechPadSeconds);
            var paddedEnd = Math.Min(duration, e + options.SpeechPadSeconds);
            if (segments.Count > 0 && paddedStart < segments[^1].End)
            {
                // Padding made neighbours touch: split the gap between them instead of overlapping.
                var middle = (segments[^1].End - options.SpeechPadSeconds + s) / 2;
                segments[^1] = segments[^1] with { End = Math.Max(segments[^1].Start, middle) };
                paddedStart = Math.Max(middle, 0);
            }
            segments.Add(new SpeechSegment(Math.Round(paddedStart, 3), Math.Round(paddedEnd, 3)));
        }
        return segments;
    }

    public void Dispose() => _session.Dispose();
}
