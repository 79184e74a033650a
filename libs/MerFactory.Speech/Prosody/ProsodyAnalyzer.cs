using System.Globalization;
using System.Text;
using MerFactory.Speech.Vad;
using Microsoft.Extensions.Options;
using NWaves.Features;
using NWaves.Filters.BiQuad;
using NWaves.Signals;

namespace MerFactory.Speech.Prosody;

/// <summary>Settings for <see cref="ProsodyAnalyzer"/>.</summary>
public sealed class ProsodyOptions
{
    /// <summary>Lowest and highest F0 searched; covers low male to high child voices.</summary>
    public float MinPitchHz { get; set; } = 60;
    public float MaxPitchHz { get; set; } = 500;

    /// <summary>YIN cumulative-mean-normalised-difference threshold; lower is stricter about voicing.</summary>
    public float YinThreshold { get; set; } = 0.2f;

    /// <summary>Frames quieter than the loudest frame by more than this are treated as silence for pitch.</summary>
    public double VoicingDynamicRangeDb { get; set; } = 35;

    /// <summary>Gaps between speech segments at least this long count as pauses.</summary>
    public double MinPauseSeconds { get; set; } = 0.2;

    /// <summary>Number of equal time slices in the F0 contour summary.</summary>
    public int ContourPoints { get; set; } = 5;
}

/// <summary>Pitch statistics over voiced frames; null values mean no voiced frames.</summary>
public sealed record PitchFeatures(
    double? MeanHz,
    double? MedianHz,
    double? MinHz,
    double? MaxHz,
    double? RangeSemitones,
    double? StdDevSemitones,
    double? SlopeSemitonesPerSecond,
    IReadOnlyList<double?> ContourHz,
    double VoicedFraction);

/// <summary>Level of the audio: RMS and peak in dBFS, BS.1770-style integrated loudness, and level variation.</summary>
public sealed record LoudnessFeatures(double RmsDbfs, double PeakDbfs, double? IntegratedLufs, double? DynamicRangeDb);

/// <summary>Pauses between speech segments.</summary>
public sealed record PauseFeatures(int Count, double TotalSeconds, double MeanSeconds, double LongestSeconds, double PausesPerMinute);

/// <summary>How something was said: pitch, loudness, rate and pauses, plus a one-paragraph description for LLM prompts.</summary>
public sealed record ProsodyFeatures(
    PitchFeatures Pitch,
    LoudnessFeatures Loudness,
    double SpeechSeconds,
    double? WordsPerSecond,
    PauseFeatures Pauses,
    string Summary);

/// <summary>Computes prosodic features from 16 kHz mono samples (YIN pitch from NWaves, K-weighted loudness, VAD pauses).</summary>
public sealed class ProsodyAnalyzer(IOptions<ProsodyOptions> options)
{
    private const int SampleRate = 16_000;
    private const int FrameSamples = 640; // 40 ms: two periods of the lowest pitch searched
    private const int HopSamples = 160;   // 10 ms
    private const double SilenceFloorDb = -100;
    private readonly ProsodyOptions _options = options.Value;

    public ProsodyAnalyzer() : this(Options.Create(new ProsodyOptions())) { }

    /// <param name="samples16k">Mono samples at 16 kHz.</param>
    /// <param name="speech">Speech segments from the VAD; null treats the whole buffer as speech.</param>
    /// <param name="wordCount">Words in the transcript, for the speaking rate; null when unknown.</param>
    public ProsodyFeatures Analyze(float[] samples16k, IReadOnlyList<SpeechSegment>? speech = null, int? wordCount = null)
    {
        ArgumentNullException.ThrowIfNull(samples16k);
        var duration = samples16k.Length / (double)SampleRate;
        speech ??= samples16k.Length == 0 ? [] : [new SpeechSegment(0, duration)];
        var speechSeconds = speech.Sum(s => s.Duration);

        var pitch = AnalyzePitch(samples16k, speech);
        var loudness = AnalyzeLoudness(samples16k, speech);
        var pauses = AnalyzePauses(speech, speechSeconds);
        double? wordsPerSecond = wordCount is { } words && speechSeconds > 0 ? Math.Round(words / speechSeconds, 2) : null;
        var summary = Describe(pitch, loudness, wordsPerSecond, pauses, speechSeconds);
        return new ProsodyFeatures(pitch, loudness, Math.Round(speechSeconds, 3), wordsPerSecond, pauses, summary);
    }

    private PitchFeatures AnalyzePitch(float[] samples, IReadOnlyList<SpeechSegment> speech)
    {
        var frameCount = samples.Length < FrameSamples ? 0 : 1 + (samples.Length - FrameSamples) / HopSamples;
        var frameDb = new double[frameCount];
        for (var f = 0; f < frameCount; f++) frameDb[f] = RmsDb(samples.AsSpan(f * HopSamples, FrameSamples));
        var loudest = frameCount == 0 ? SilenceFloorDb : frameDb.Max();
        var floorDb = Math.Max(-60, loudest - _options.VoicingDynamicRangeDb);

        var voiced = new List<(double Time, double Hz)>();
        var speechFrames = 0;
        for (var f = 0; f < frameCount; f++)
        {
            var time = (f * HopSamples + FrameSamples / 2) / (double)SampleRate;
            if (!InSpeech(speech, time)) continue;
            speechFrames++;
            if (frameDb[f] < floorDb) continue;
            var hz = Pitch.FromYin(samples, SampleRate, f * HopSamples, f * HopSamples + FrameSamples, _options.MinPitchHz, _options.MaxPitchHz, _options.YinThreshold);
            if (hz >= _options.MinPitchHz && hz <= _options.MaxPitchHz) voiced.Add((time, hz));
        }
        if (voiced.Count < 3) return new PitchFeatures(null, null, null, null, null, null, null, new double?[_options.ContourPoints], 0);

        // Octave errors show up as isolated values near half or double the median: drop them.
        var median = Percentile(voiced.Select(v => v.Hz), 0.5);
        voiced = voiced.Where(v => v.Hz > median * 0.6 && v.Hz < median * 1.7).ToList();
        var semitones = voiced.Select(v => 12 * Math.Log2(v.Hz / median)).ToArray();
        var meanSemitone = semitones.Average();
        var std = Math.Sqrt(semitones.Average(s => (s - meanSemitone) * (s - meanSemitone)));
        var low = Percentile(voiced.Select(v => v.Hz), 0.05);
        var high = Percentile(voiced.Select(v => v.Hz), 0.95);

        // Least-squares slope of semitones against time: the overall rise or fall.
        var meanTime = voiced.Average(v => v.Time);
        var covariance = voiced.Select((v, i) => (v.Time - meanTime) * (semitones[i] - meanSemitone)).Sum();
        var variance = voiced.Sum(v => (v.Time - meanTime) * (v.Time - meanTime));
        double? slope = variance > 1e-9 ? covariance / variance : null;

        var first = speech.Count > 0 ? speech[0].Start : 0;
        var last = speech.Count > 0 ? speech[^1].End : samples.Length / (double)SampleRate;
        var contour = new double?[_options.ContourPoints];
        var sliceLength = (last - first) / _options.ContourPoints;
        for (var k = 0; k < _options.ContourPoints; k++)
        {
            var inSlice = voiced.Where(v => v.Time >= first + k * sliceLength && v.Time < first + (k + 1) * sliceLength).Select(v => v.Hz).ToList();
            contour[k] = inSlice.Count == 0 ? null : Math.Round(inSlice.Average(), 1);
        }

        return new PitchFeatures(
            Math.Round(voiced.Average(v => v.Hz), 2),
            Math.Round(Percentile(voiced.Select(v => v.Hz), 0.5), 2),
            Math.Round(low, 2),
            Math.Round(high, 2),
            Math.Round(12 * Math.Log2(high / low), 2),
            Math.Round(std, 2),
            slope is { } s ? Math.Round(s, 2) : null,
            contour,
            speechFrames == 0 ? 0 : Math.Round(voiced.Count / (double)speechFrames, 3));
    }

    private static LoudnessFeatures AnalyzeLoudness(float[] samples, IReadOnlyList<SpeechSegment> speech)
    {
        if (samples.Length == 0) return new LoudnessFeatures(SilenceFloorDb, SilenceFloorDb, null, null);
        double peak = 0;
        foreach (var s in samples) peak = Math.Max(peak, Math.Abs(s));

        // RMS over the speech only, so long silences do not dilute how loud the speaker was.
        double sumSquares = 0;
        long count = 0;
        foreach (var segment in speech)
        {
            var (start, length) = SampleRange(segment, samples.Length);
            foreach (var s in samples.AsSpan(start, length)) sumSquares += s * (double)s;
            count += length;
        }
        var rmsDb = count == 0 ? SilenceFloorDb : ToDb(Math.Sqrt(sumSquares / count));

        return new LoudnessFeatures(Math.Round(rmsDb, 2), Math.Round(ToDb(peak), 2), IntegratedLoudness(samples), SpeechDynamicRange(samples, speech));
    }

    /// <summary>
    /// ITU-R BS.1770 integrated loudness for mono: K-weighting (NWaves RBJ biquads with the standard's shelf and
    /// high-pass parameters), 400 ms blocks with 75 % overlap, absolute (−70 LUFS) and relative (−10 LU) gates.
    /// </summary>
    internal static double? IntegratedLoudness(float[] samples)
    {
        const int block = SampleRate * 400 / 1000;
        const int step = block / 4;
        if (samples.Length < block) return null;
        var shelf = new HighShelfFilter(1681.974450955533 / SampleRate, 0.7071752369554196, 3.999843853973347);
        var highPass = new HighPassFilter(38.13547087602444 / SampleRate, 0.5003270373238773);
        var weighted = highPass.ApplyTo(shelf.ApplyTo(new DiscreteSignal(SampleRate, samples, allocateNew: true))).Samples;

        var blockPowers = new List<double>();
        for (var start = 0; start + block <= weighted.Length; start += step)
        {
            double sum = 0;
            foreach (var s in weighted.AsSpan(start, block)) sum += s * (double)s;
            blockPowers.Add(sum / block);
        }
        static double Lufs(double meanSquare) => -0.691 + 10 * Math.Log10(meanSquare);
        var aboveAbsolute = blockPowers.Where(p => p > 0 && Lufs(p) > -70).ToList();
        if (aboveAbsolute.Count == 0) return null;
        var relativeGate = Lufs(aboveAbsolute.Average()) - 10;
        var gated = aboveAbsolute.Where(p => Lufs(p) > relativeGate).ToList();
        return Math.Round(Lufs(gated.Average()), 2);
    }

    /// <summary>Spread (95th − 10th percentile) of 40 ms frame levels within speech: how much the voice swells and drops.</summary>
    private static double? SpeechDynamicRange(float[] samples, IReadOnlyList<SpeechSegment> speech)
    {
        var levels = new List<double>();
        foreach (var segment in speech)
        {
            var (start, length) = SampleRange(segment, samples.Length);
            for (var f = start; f + FrameSamples <= start + length; f += FrameSamples) levels.Add(RmsDb(samples.AsSpan(f, FrameSamples)));
        }
        return levels.Count < 5 ? null : Math.Round(Percentile(levels, 0.95) - Percentile(levels, 0.10), 2);
    }

    private PauseFeatures AnalyzePauses(IReadOnlyList<SpeechSegment> speech, double speechSeconds)
    {
        var gaps = new List<double>();
        for (var i = 1; i < speech.Count; i++)
        {
            var gap = speech[i].Start - speech[i - 1].End;
            if (gap >= _options.MinPauseSeconds) gaps.Add(gap);
        }
        var span = speech.Count == 0 ? 0 : speech[^1].End - speech[0].Start;
        return new PauseFeatures(
            gaps.Count,
            Math.Round(gaps.Sum(), 3),
            gaps.Count == 0 ? 0 : Math.Round(gaps.Average(), 3),
            gaps.Count == 0 ? 0 : Math.Round(gaps.Max(), 3),
            span <= 0 ? 0 : Math.Round(gaps.Count / (span / 60), 2));
    }

    private static string Describe(PitchFeatures pitch, LoudnessFeatures loudness, double? wordsPerSecond, PauseFeatures pauses, double speechSeconds)
    {
        var c = CultureInfo.InvariantCulture;
        if (speechSeconds <= 0) return "No speech detected.";
        var text = new StringBuilder();
        if (pitch.MeanHz is { } mean)
        {
            var variation = pitch.RangeSemitones switch
            {
                < 3 => "monotone",
                < 8 => "moderately varied",
                _ => "highly varied",
            };
            var direction = pitch.SlopeSemitonesPerSecond switch
            {
                > 1 => ", rising overall",
                < -1 => ", falling overall",
                _ => string.Empty,
            };
            text.Append(c, $"Voice pitch averages {mean:0} Hz ({pitch.MinHz:0}–{pitch.MaxHz:0} Hz, {pitch.RangeSemitones:0.#} semitones), {variation}{direction}. ");
        }
        else
        {
            text.Append("No voiced pitch could be measured. ");
        }

        var level = loudness.IntegratedLufs ?? loudness.RmsDbfs;
        var loudnessWord = level switch
        {
            < -38 => "very quiet",
            < -28 => "quiet",
            < -18 => "at a normal level",
            _ => "loud",
        };
        text.Append(c, $"Speech is {loudnessWord} ({level:0.#} {(loudness.IntegratedLufs is null ? "dBFS" : "LUFS")})");
        text.Append(loudness.DynamicRangeDb is > 25 ? " with strong swells in level. " : ". ");

        if (wordsPerSecond is { } rate)
        {
            var pace = rate switch
            {
                < 1.8 => "slow",
                < 3.3 => "moderate",
                _ => "fast",
            };
            text.Append(c, $"Speaking rate is {pace} ({rate:0.0} words/s). ");
        }
        text.Append(pauses.Count == 0
            ? "No noticeable pauses."
            : string.Create(c, $"{pauses.Count} pause{(pauses.Count == 1 ? "" : "s")} (longest {pauses.LongestSeconds:0.0} s)."));
        return text.ToString().Trim();
    }

    private static bool InSpeech(IReadOnlyList<SpeechSegment> speech, double time)
    {
        foreach (var s in speech)
        {
            if (time >= s.Start && time < s.End) return true;
        }
        return false;
    }

    private static (int Start, int Length) SampleRange(SpeechSegment segment, int total)
    {
        var start = Math.Clamp((int)(segment.Start * SampleRate), 0, total);
        var end = Math.Clamp((int)(segment.End * SampleRate), start, total);
        return (start, end - start);
    }

    private static double RmsDb(ReadOnlySpan<float> frame)
    {
        double sum = 0;
        foreach (var s in frame) sum += s * (double)s;
        return ToDb(Math.Sqrt(sum / Math.Max(1, frame.Length)));
    }

    private static double ToDb(double amplitude) => amplitude <= 1e-5 ? SilenceFloorDb : 20 * Math.Log10(amplitude);

    private static double Percentile(IEnumerable<double> values, double fraction)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        if (sorted.Length == 0) return double.NaN;
        var position = fraction * (sorted.Length - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
    }
}
