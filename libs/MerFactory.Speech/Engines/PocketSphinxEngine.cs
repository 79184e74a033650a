using System.Runtime.InteropServices;
using Microsoft.Extensions.Options;

namespace MerFactory.Speech.Engines;

/// <summary>Settings for the offline English engine (Debian <c>pocketsphinx-en-us</c> model layout).</summary>
public sealed class PocketSphinxOptions
{
    public string ModelDirectory { get; set; } = "/usr/share/pocketsphinx/model/en-us";
    public string AcousticModel { get; set; } = "en-us";
    public string LanguageModel { get; set; } = "en-us.lm.bin";
    public string Dictionary { get; set; } = "cmudict-en-us.dict";

    /// <summary>
    /// Word exits kept per frame (pocketsphinx <c>-maxwpf</c>; 0 keeps every one, the CLI's default). CMU's speed tuning
    /// suggests 5: on the librivox test set and jfk.wav the transcripts are word for word the same, with about 15% less
    /// decoding time (measured interleaved, best of 5 rounds).
    /// </summary>
    public int MaxWordExitsPerFrame { get; set; } = 5;

    /// <summary>Extra decoder flags, e.g. <c>["-beam", "1e-60"]</c>; they come last, so they win over the settings above.</summary>
    public IList<string> ExtraArguments { get; set; } = [];

    /// <summary>
    /// Standard pocketsphinx speed settings: skip the second (flat-lexicon) pass and cap active HMMs per frame.
    /// Measured by the transcribe benchmark: about half the CPU time for a few WER points.
    /// </summary>
    public static IReadOnlyList<string> FastSearchArguments { get; } = ["-fwdflat", "no", "-maxhmmpf", "3000"];

    /// <summary>Decoders kept (each single-threaded, ~40 MB): utterances of several files decode side by side up to this.</summary>
    public int MaxDecoders { get; set; } = Environment.ProcessorCount;
}

/// <summary>
/// Offline English recogniser on libpocketsphinx. A decoder is single-threaded, so the engine keeps a small pool
/// (<see cref="PocketSphinxOptions.MaxDecoders"/>), created on demand and reused, and each call borrows one.
/// </summary>
public sealed class PocketSphinxEngine : ITranscriptionEngine
{
    private const double FramesPerSecond = 100; // pocketsphinx default -frate
    private readonly PocketSphinxOptions _options;
    private readonly SemaphoreSlim _gate;
    private readonly System.Collections.Concurrent.ConcurrentBag<IntPtr> _idle = [];
    private readonly List<IntPtr> _decoders = [];
    private readonly List<IntPtr[]> _argumentMemory = [];
    private bool _disposed;

    public PocketSphinxEngine(IOptions<PocketSphinxOptions> options)
    {
        _options = options.Value;
        var decoders = Math.Max(1, _options.MaxDecoders);
        _gate = new SemaphoreSlim(decoders, decoders);
        ModelId = $"cmusphinx-en-us ({Path.Combine(_options.ModelDirectory, _options.LanguageModel)})";
    }

    public PocketSphinxEngine() : this(Options.Create(new PocketSphinxOptions())) { }

    public string Name => "pocketsphinx";

    public string ModelId { get; }

    /// <summary>True when the model files are installed (the Debian package <c>pocketsphinx-en-us</c>).</summary>
    public bool IsInstalled => MissingModelFiles().Count == 0;

    public bool Supports(string? language) => language is null || language.StartsWith("en", StringComparison.OrdinalIgnoreCase);

    public async Task<EngineTranscription> TranscribeAsync(float[] samples16k, EngineRequest request, CancellationToken cancellationToken)
    {
        CheckUsable(request);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        return DecodeWithPooledDecoder(samples16k, cancellationToken);
    }

    /// <summary>
    /// The same decode on the calling thread, for callers that run it as a unit of CPU work (the compute scheduler):
    /// it blocks only while every pooled decoder is busy.
    /// </summary>
    public EngineTranscription Transcribe(float[] samples16k, EngineRequest request, CancellationToken cancellationToken)
    {
        CheckUsable(request);
        _gate.Wait(cancellationToken);
        return DecodeWithPooledDecoder(samples16k, cancellationToken);
    }

    private void CheckUsable(EngineRequest request)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!Supports(request.Language))
        {
            throw new SpeechModelException($"The offline engine only understands English, not '{request.Language}'. Install a Whisper model with `merfactory models install whisper-base`.");
        }
    }

    /// <summary>Borrows a decoder (creating one when none is idle) for one decode; the caller holds a gate slot.</summary>
    private EngineTranscription DecodeWithPooledDecoder(float[] samples16k, CancellationToken cancellationToken)
    {
        var decoder = IntPtr.Zero;
        try
        {
            decoder = _idle.TryTake(out var idle) ? idle : CreateDecoder();
            return new EngineTranscription("en", null, Decode(decoder, samples16k, cancellationToken));
        }
        finally
        {
            if (decoder != IntPtr.Zero) _idle.Add(decoder);
            _gate.Release();
        }
    }

    private static unsafe IReadOnlyList<RecognizedSegment> Decode(IntPtr decoder, float[] samples, CancellationToken cancellationToken)
    {
        var pcm = new short[samples.Length];
        for (var i = 0; i < samples.Length; i++) pcm[i] = (short)Math.Clamp(samples[i] * 32767f, short.MinValue, short.MaxValue);

        Check(PocketSphinxNative.ps_start_utt(decoder), "ps_start_utt");
        // full_utt=1: the whole utterance is given at once, so cepstral mean normalisation uses all of it.
        fixed (short* data = pcm)
        {
            var result = PocketSphinxNative.ps_process_raw(decoder, data, (nuint)pcm.Length, 0, 1);
            if (result < 0)
            {
                PocketSphinxNative.ps_end_utt(decoder);
                throw new InvalidOperationException($"pocketsphinx rejected the audio (ps_process_raw returned {result}).");
            }
        }
        Check(PocketSphinxNative.ps_end_utt(decoder), "ps_end_utt");
        cancellationToken.ThrowIfCancellationRequested();

        var words = new List<RecognizedWord>();
        var logmath = PocketSphinxNative.ps_get_logmath(decoder);
        int score;
        for (var segment = PocketSphinxNative.ps_seg_iter(decoder, &score); segment != IntPtr.Zero; segment = PocketSphinxNative.ps_seg_next(segment))
        {
            var word = CleanWord(Marshal.PtrToStringUTF8(PocketSphinxNative.ps_seg_word(segment)));
            if (word is null) continue;
            int startFrame, endFrame, acoustic, language, backoff;
            PocketSphinxNative.ps_seg_frames(segment, &startFrame, &endFrame);
            var posterior = PocketSphinxNative.ps_seg_prob(segment, &acoustic, &language, &backoff);
            var confidence = Math.Clamp(PocketSphinxNative.logmath_exp(logmath, posterior), 0, 1);
            words.Add(new RecognizedWord(word, startFrame / FramesPerSecond, (endFrame + 1) / FramesPerSecond, confidence));
        }

        if (words.Count == 0) return [];
        var text = string.Join(' ', words.Select(w => w.Word));
        return [new RecognizedSegment(words[0].Start, words[^1].End, text, words.Average(w => w.Confidence ?? 0), words)];
    }

    /// <summary>Drops sentence markers and fillers; strips alternate-pronunciation suffixes such as <c>the(2)</c>.</summary>
    internal static string? CleanWord(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw)) return null;
        if (raw.StartsWith('<') || raw.StartsWith('[') || raw.StartsWith("++", StringComparison.Ordinal) || raw == "(NULL)") return null;
        var paren = raw.IndexOf('(', StringComparison.Ordinal);
        return paren > 0 ? raw[..paren] : raw;
    }

    private IntPtr CreateDecoder()
    {
        var missing = MissingModelFiles();
        if (missing.Count > 0)
        {
            throw new SpeechModelException($"The offline English model is not installed: missing {string.Join(", ", missing)}. Install the Debian package pocketsphinx-en-us, or a Whisper model with `merfactory models install whisper-base`.");
        }

        List<string> arguments =
        [
            "-hmm", Path.Combine(_options.ModelDirectory, _options.AcousticModel),
            "-lm", Path.Combine(_options.ModelDirectory, _options.LanguageModel),
            "-dict", Path.Combine(_options.ModelDirectory, _options.Dictionary),
            "-logfn", "/dev/null",
            .. _options.MaxWordExitsPerFrame > 0 ? ["-maxwpf", _options.MaxWordExitsPerFrame.ToString(System.Globalization.CultureInfo.InvariantCulture)] : Array.Empty<string>(),
            .. _options.ExtraArguments,
        ];
        IntPtr config;
        try
        {
            config = PocketSphinxNative.ParseConfig(arguments, out var memory);
            lock (_argumentMemory) _argumentMemory.Add(memory);
        }
        catch (DllNotFoundException ex)
        {
            throw new SpeechModelException($"The offline engine needs {PocketSphinxNative.PocketSphinxLibrary} (Debian package libpocketsphinx3): {ex.Message}", ex);
        }
        if (config == IntPtr.Zero) throw new SpeechModelException($"pocketsphinx rejected its arguments: {string.Join(' ', arguments)}");
        var decoder = PocketSphinxNative.ps_init(config);
        PocketSphinxNative.cmd_ln_free_r(config); // ps_init keeps its own reference
        if (decoder == IntPtr.Zero) throw new SpeechModelException($"pocketsphinx could not load the model in '{_options.ModelDirectory}'.");
        lock (_decoders) _decoders.Add(decoder);
        return decoder;
    }

    private List<string> MissingModelFiles()
    {
        var missing = new List<string>();
        if (!Directory.Exists(Path.Combine(_options.ModelDirectory, _options.AcousticModel))) missing.Add(Path.Combine(_options.ModelDirectory, _options.AcousticModel));
        foreach (var file in new[] { _options.LanguageModel, _options.Dictionary })
        {
            var path = Path.Combine(_options.ModelDirectory, file);
            if (!File.Exists(path)) missing.Add(path);
        }
        return missing;
    }

    private static void Check(int result, string call)
    {
        if (result < 0) throw new InvalidOperationException($"pocketsphinx {call} failed ({result}).");
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        lock (_decoders)
        {
            foreach (var decoder in _decoders) PocketSphinxNative.ps_free(decoder);
            _decoders.Clear();
        }
        lock (_argumentMemory)
        {
            foreach (var memory in _argumentMemory) PocketSphinxNative.FreeArguments(memory);
            _argumentMemory.Clear();
        }
        _gate.Dispose();
    }
}
