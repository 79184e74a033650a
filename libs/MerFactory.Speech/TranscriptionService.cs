using System.Diagnostics;
using MerFactory.Compute;
using MerFactory.Speech.Audio;
using MerFactory.Speech.Engines;
using MerFactory.Speech.Prosody;
using MerFactory.Speech.Vad;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MerFactory.Speech;

/// <summary>Per-job transcription settings.</summary>
public sealed record TranscriptionOptions
{
    public EngineChoice Engine { get; init; } = EngineChoice.Auto;

    /// <summary>ISO 639-1 code to force, or null to detect (Whisper) / assume English (offline engine).</summary>
    public string? Language { get; init; }

    public int BeamSize { get; init; } = 5;
    public float Temperature { get; init; }
    public int Threads { get; init; }

    /// <summary>Run voice activity detection to skip silence and cut long audio; off decodes the whole file.</summary>
    public bool UseVoiceActivity { get; init; } = true;

    /// <summary>Speech segments are merged into engine chunks up to this length (Whisper's window is 30 s).</summary>
    public double MaxChunkSeconds { get; init; } = 30;

    /// <summary>Segments further apart than this are decoded separately even when they would fit in one chunk.</summary>
    public double MaxMergeGapSeconds { get; init; } = 1.0;

    /// <summary>Silence kept around each chunk so engines see word onsets and endings.</summary>
    public double ChunkPaddingSeconds { get; init; } = 0.2;
}

/// <summary>
/// Audio file → transcript artifact: decode (ffmpeg), find speech (Silero VAD), transcribe chunks with the selected
/// engine, and measure prosody. Bad input raises <see cref="AudioDecodeException"/>; audio without speech yields a
/// <see cref="TranscriptStatus.NoSpeech"/> artifact.
/// </summary>
public sealed partial class TranscriptionService(
    AudioDecoder decoder,
    TranscriptionEngineSelector engines,
    ProsodyAnalyzer prosody,
    SileroVad? voiceActivity = null,
    ILogger<TranscriptionService>? logger = null)
{
    private readonly ILogger _logger = logger ?? NullLogger<TranscriptionService>.Instance;

    public async Task<TranscriptArtifact> TranscribeAsync(string audioPath, TranscriptionOptions options, CancellationToken cancellationToken = default)
    {
        var stopwatch = Stopwatch.StartNew();
        var engine = engines.Select(options.Engine, options.Language);
        var audio = await decoder.DecodeAsync(audioPath, cancellationToken).ConfigureAwait(false);
        var artifact = await TranscribeAsync(audio, engine, options, cancellationToken).ConfigureAwait(false);
        artifact = artifact with { ProcessingSeconds = Math.Round(stopwatch.Elapsed.TotalSeconds, 4) };
        if (artifact.Status == TranscriptStatus.NoSpeech) LogNoSpeech(audioPath, artifact.DurationSeconds);
        else LogTranscribed(audioPath, engine.Name, artifact.DurationSeconds, artifact.ProcessingSeconds, artifact.Segments.Count);
        return artifact;
    }

    /// <summary>Transcribes already decoded audio with a given engine (used by the benchmark and by callers that decode themselves).</summary>
    public async Task<TranscriptArtifact> TranscribeAsync(DecodedAudio audio, ITranscriptionEngine engine, TranscriptionOptions options, CancellationToken cancellationToken = default)
    {
        var samples = audio.Samples;
        var duration = audio.DurationSeconds;
        var vad = options.UseVoiceActivity && voiceActivity is not null
            ? await ComputeScheduler.Shared.RunAsync(ComputeClass.Gating, () => voiceActivity.Detect(samples, cancellationToken), cancellationToken).ConfigureAwait(false)
            : null;
        IReadOnlyList<SpeechSegment> speech = vad?.Segments ?? [new SpeechSegment(0, duration)];
        var request = new EngineRequest { Language = options.Language, BeamSize = options.BeamSize, Temperature = options.Temperature, Threads = options.Threads };

        var chunks = Chunk(speech, options, duration)
            .Select(c => (Start: (int)(c.Start * DecodedAudio.SampleRate), End: Math.Min(samples.Length, (int)(c.End * DecodedAudio.SampleRate))))
            .Where(c => c.End - c.Start >= DecodedAudio.SampleRate / 10) // under 100 ms: nothing an engine can use
            .ToList();
        var results = await DecodeChunksAsync(engine, samples, chunks, request, cancellationToken).ConfigureAwait(false);

        var segments = new List<TranscriptSegment>();
        string? language = null;
        double? languageProbability = null;
        for (var i = 0; i < chunks.Count; i++)
        {
            var (start, end) = chunks[i];
            var result = results[i];
            language ??= result.Language;
            languageProbability ??= result.LanguageProbability;
            var offset = start / (double)DecodedAudio.SampleRate;
            var chunkEnd = end / (double)DecodedAudio.SampleRate;
            // Whisper pads every window to 30 s, so its timestamps can overshoot the chunk: keep them inside it.
            double Clamp(double time) => Math.Round(Math.Clamp(offset + time, offset, chunkEnd), 3);
            segments.AddRange(result.Segments.Select(s => new TranscriptSegment(
                Clamp(s.Start),
                Clamp(s.End),
                s.Text,
                s.Confidence is { } c ? Math.Round(c, 4) : null,
                s.Words.Select(w => w with { Start = Clamp(w.Start), End = Clamp(w.End), Confidence = w.Confidence is { } wc ? Math.Round(wc, 4) : null }).ToList())));
        }

        var text = string.Join(' ', segments.Select(s => s.Text)).Trim();
        var wordCount = segments.Sum(s => s.Words.Count > 0 ? s.Words.Count : s.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
        var status = vad is { HasSpeech: false } ? TranscriptStatus.NoSpeech
            : text.Length == 0 ? TranscriptStatus.NoWordsRecognized
            : TranscriptStatus.Transcribed;
        var wordsForRate = status == TranscriptStatus.Transcribed ? wordCount : (int?)null;
        var measuredProsody = await ComputeScheduler.Shared.RunAsync(ComputeClass.Gating, () => prosody.Analyze(samples, vad?.Segments, wordsForRate), cancellationToken).ConfigureAwait(false);
        return new TranscriptArtifact
        {
            SourceFile = audio.SourcePath,
            Status = status,
            Text = text,
            Language = language ?? options.Language ?? (engine is PocketSphinxEngine ? "en" : "und"),
            LanguageProbability = languageProbability,
            Engine = engine.Name,
            ModelId = engine.ModelId,
            DurationSeconds = Math.Round(duration, 3),
            Segments = segments,
            VoiceActivity = vad?.Segments ?? [],
            VoiceActivityModel = vad is null ? null : voiceActivity!.ModelId,
            Prosody = measuredProsody,
        };
    }

    /// <summary>
    /// pocketsphinx chunks are single-threaded units of CPU work: they go to the compute scheduler, longest first, so
    /// they decode side by side on the decoder pool and a long one never starts last. Whisper already uses every core
    /// per chunk (and a state per call), so it decodes one chunk at a time. Results keep the chunks' order.
    /// </summary>
    private static async Task<EngineTranscription[]> DecodeChunksAsync(ITranscriptionEngine engine, float[] samples,
        List<(int Start, int End)> chunks, EngineRequest request, CancellationToken cancellationToken)
    {
        var results = new EngineTranscription[chunks.Count];
        if (engine is PocketSphinxEngine offline)
        {
            var longestFirst = Enumerable.Range(0, chunks.Count).OrderByDescending(i => chunks[i].End - chunks[i].Start).ToList();
            var decodes = longestFirst.Select(i => ComputeScheduler.Shared.RunAsync(ComputeClass.Indivisible,
                () => results[i] = offline.Transcribe(samples[chunks[i].Start..chunks[i].End], request, cancellationToken), cancellationToken));
            await Task.WhenAll(decodes.ToList()).ConfigureAwait(false);
            return results;
        }
        for (var i = 0; i < chunks.Count; i++)
        {
            results[i] = await engine.TranscribeAsync(samples[chunks[i].Start..chunks[i].End], request, cancellationToken).ConfigureAwait(false);
        }
        return results;
    }

    /// <summary>
    /// Loads the engine and the voice activity model by transcribing a tenth of a second of silence, so that the
    /// first file does not pay for it (a pocketsphinx decoder takes about half a second to build).
    /// </summary>
    public async Task WarmUpAsync(EngineChoice engineChoice, string? language, CancellationToken cancellationToken = default)
    {
        var engine = engines.Select(engineChoice, language);
        var silence = new float[DecodedAudio.SampleRate / 10];
        if (voiceActivity is not null) await ComputeScheduler.Shared.RunAsync(ComputeClass.Gating, () => voiceActivity.Detect(silence, cancellationToken), cancellationToken).ConfigureAwait(false);
        await engine.TranscribeAsync(silence, new EngineRequest { Language = language }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Merges nearby speech segments into padded chunks no longer than the engine window.</summary>
    internal static List<SpeechSegment> Chunk(IReadOnlyList<SpeechSegment> speech, TranscriptionOptions options, double duration)
    {
        var chunks = new List<SpeechSegment>();
        foreach (var segment in speech)
        {
            if (chunks.Count > 0 && segment.Start - chunks[^1].End <= options.MaxMergeGapSeconds && segment.End - chunks[^1].Start <= options.MaxChunkSeconds)
            {
                chunks[^1] = chunks[^1] with { End = segment.End };
            }
            else
            {
                chunks.Add(segment);
            }
        }
        return chunks.Select(c => new SpeechSegment(Math.Max(0, c.Start - options.ChunkPaddingSeconds), Math.Min(duration, c.End + options.ChunkPaddingSeconds))).ToList();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Transcribed {AudioPath} with {Engine}: {DurationSeconds:0.00} s audio in {ProcessingSeconds:0.00} s, {SegmentCount} segments")]
    private partial void LogTranscribed(string audioPath, string engine, double durationSeconds, double processingSeconds, int segmentCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "No speech in {AudioPath} ({DurationSeconds:0.00} s)")]
    private partial void LogNoSpeech(string audioPath, double durationSeconds);
}
