using System.Diagnostics;
using System.Runtime.CompilerServices;
using MerFactory.ModelHost.Inference;
using MerFactory.ModelHost.Telemetry;

namespace MerFactory.ModelHost.Serving;

/// <summary>Every slot is busy and the queue is full: 429 with Retry-After (gRPC: RESOURCE_EXHAUSTED).</summary>
public sealed class QueueFullException(int retryAfterSeconds) : Exception("The model host is busy: every slot is generating and the queue is full.")
{
    public int RetryAfterSeconds { get; } = retryAfterSeconds;
}

/// <summary>
/// The host's operations, shared by the OpenAI-compatible HTTP surface and the gRPC ModelServer: a request takes a slot
/// (or is refused), leases its model (loading it if needed), is checked against the model's modalities before anything
/// is generated, and gives both back when it ends or is cancelled.
/// </summary>
public sealed class LocalModelHost(ModelPool pool, SlotScheduler slots, ModelHostMetrics metrics, Microsoft.Extensions.Options.IOptions<ModelHostOptions> options)
{
    public ModelPool Pool => pool;
    public SlotScheduler Slots => slots;

    /// <summary>
    /// Starts a chat; errors a client must see as a status (queue full, unknown model, unsupported modality) are thrown
    /// here, before any answer is written. The returned run streams the answer and frees the slot when disposed.
    /// </summary>
    public async Task<ChatRun> StartChatAsync(string model, IReadOnlyList<PromptMessage> messages, GenerationSettings settings, CancellationToken cancellationToken)
    {
        var queued = Stopwatch.GetTimestamp();
        var slot = await slots.TryAcquireAsync(cancellationToken).ConfigureAwait(false);
        if (slot is null)
        {
            metrics.Rejected.Add(1);
            throw new QueueFullException(options.Value.RetryAfterSeconds);
        }
        metrics.QueueWait.Record(Stopwatch.GetElapsedTime(queued).TotalSeconds);
        ModelPool.ModelLease? lease = null;
        try
        {
            lease = await pool.AcquireAsync(model, cancellationToken).ConfigureAwait(false);
            var prompt = await ExpandVideoAsync(lease.Model, messages, cancellationToken).ConfigureAwait(false);
            lease.Model.EnsureSupports(prompt);
            return new ChatRun(lease, slot, prompt, settings, metrics);
        }
        catch
        {
            lease?.Dispose();
            slot.Dispose();
            throw;
        }
    }

    /// <summary>Transcribes audio bytes (any format ffmpeg reads) with a Whisper model.</summary>
    public async Task<string> TranscribeAsync(string model, byte[] audio, string? language, CancellationToken cancellationToken)
    {
        using var slot = await slots.TryAcquireAsync(cancellationToken).ConfigureAwait(false);
        if (slot is null)
        {
            metrics.Rejected.Add(1);
            throw new QueueFullException(options.Value.RetryAfterSeconds);
        }
        using var lease = await pool.AcquireAsync(model, cancellationToken).ConfigureAwait(false);
        if (!lease.Model.Modalities.HasFlag(ModelModality.Transcription))
            throw new ModalityNotSupportedException(lease.Model.Id, ModelModality.Transcription, lease.Model.Modalities);
        var samples = await MediaDecoder.DecodeAudio16kAsync(audio, cancellationToken).ConfigureAwait(false);
        return await lease.Model.TranscribeAsync(samples, language, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A video becomes ≤15 frames at 1 fps plus its 16 kHz audio when the model takes audio (MER-Factory's Gemma path).</summary>
    private static async Task<IReadOnlyList<PromptMessage>> ExpandVideoAsync(LocalModel model, IReadOnlyList<PromptMessage> messages, CancellationToken cancellationToken)
    {
        if (!messages.SelectMany(m => m.Parts).OfType<MediaPart>().Any(p => p.Kind == ModelModality.Video)) return messages;
        if (!model.Modalities.HasFlag(ModelModality.Video)) throw new ModalityNotSupportedException(model.Id, ModelModality.Video, model.Modalities);
        var expanded = new List<PromptMessage>();
        foreach (var message in messages)
        {
            var parts = new List<PromptPart>();
            foreach (var part in message.Parts)
            {
                if (part is not MediaPart { Kind: ModelModality.Video } video)
                {
                    parts.Add(part);
                    continue;
                }
                var (frames, audio) = await MediaDecoder.ExpandVideoAsync(video.Data, cancellationToken).ConfigureAwait(false);
                parts.AddRange(frames.Select(f => new MediaPart(ModelModality.Image, f, "jpeg")));
                if (audio is not null && model.Modalities.HasFlag(ModelModality.Audio)) parts.Add(new MediaPart(ModelModality.Audio, audio, "wav"));
            }
            expanded.Add(message with { Parts = parts });
        }
        return expanded;
    }
}

/// <summary>One chat generating in a slot. Enumerate <see cref="Pieces"/> once; dispose to free the slot.</summary>
public sealed class ChatRun(ModelPool.ModelLease lease, IDisposable slot, IReadOnlyList<PromptMessage> prompt, GenerationSettings settings, ModelHostMetrics metrics) : IDisposable
{
    public string Model => lease.Model.Id;
    public GenerationUsage Usage { get; } = new();

    public async IAsyncEnumerable<string> Pieces([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        await foreach (var piece in lease.Model.GenerateAsync(prompt, settings, Usage, cancellationToken).ConfigureAwait(false))
            yield return piece;
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var tag = new KeyValuePair<string, object?>("model", Model);
        metrics.CompletionTokens.Add(Usage.CompletionTokens, tag);
        metrics.PromptTokens.Add(Usage.PromptTokens, tag);
        if (seconds > 0 && Usage.CompletionTokens > 0) metrics.TokensPerSecond.Record(Usage.CompletionTokens / seconds, tag);
    }

    public void Dispose()
    {
        lease.Dispose();
        slot.Dispose();
    }
}
