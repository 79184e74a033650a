using System.Runtime.CompilerServices;
using System.Text;
using LLama;
using LLama.Common;
using LLama.Native;
using LLama.Sampling;

namespace MerFactory.ModelHost.Inference;

/// <summary>
/// A GGUF model through LLamaSharp. Text prompts run on a <see cref="StatelessExecutor"/> (a fresh context per request,
/// so parallel slots never share state); prompts with media go through the model's mmproj (<see cref="MtmdWeights"/>),
/// whose <c>SupportsVision</c>/<c>SupportsAudio</c> decide what the model takes.
/// </summary>
public sealed class LlamaChatModel : LocalModel
{
    private readonly LLamaWeights _weights;
    private readonly MtmdWeights? _mtmd;
    private readonly ModelParams _parameters;

    private LlamaChatModel(string id, LLamaWeights weights, MtmdWeights? mtmd, ModelParams parameters)
        : base(id, ModalitiesOf(mtmd))
    {
        _weights = weights;
        _mtmd = mtmd;
        _parameters = parameters;
    }

    private static ModelModality ModalitiesOf(MtmdWeights? mtmd)
    {
        var modalities = ModelModality.Text;
        // Video goes in as frames (plus its audio when the projector takes audio), as MER-Factory's Gemma path does.
        if (mtmd?.SupportsVision == true) modalities |= ModelModality.Image | ModelModality.Video;
        if (mtmd?.SupportsAudio == true) modalities |= ModelModality.Audio;
        return modalities;
    }

    public static async Task<LlamaChatModel> LoadAsync(ModelDefinition definition, uint contextSize, int threads, CancellationToken cancellationToken)
    {
        var parameters = new ModelParams(definition.Path) { ContextSize = contextSize, GpuLayerCount = 0, Threads = threads > 0 ? threads : null };
        var weights = await LLamaWeights.LoadFromFileAsync(parameters, cancellationToken).ConfigureAwait(false);
        MtmdWeights? mtmd = null;
        try
        {
            if (definition.MmprojPath is { } mmproj)
                mtmd = await MtmdWeights.LoadFromFileAsync(mmproj, weights, MtmdContextParams.Default(), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            weights.Dispose();
            throw;
        }
        return new LlamaChatModel(definition.Id, weights, mtmd, parameters);
    }

    public override async IAsyncEnumerable<string> GenerateAsync(IReadOnlyList<PromptMessage> messages, GenerationSettings settings, GenerationUsage usage,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        EnsureSupports(messages);
        var media = messages.SelectMany(m => m.Parts).OfType<MediaPart>().ToList();
        var prompt = ApplyTemplate(messages, media.Count > 0 ? NativeApi.MtmdDefaultMarker() : null);
        usage.PromptTokens = _weights.Tokenize(prompt, add_bos: true, special: true, Encoding.UTF8).Length;
        var inference = new InferenceParams
        {
            MaxTokens = settings.MaxTokens,
            SamplingPipeline = new DefaultSamplingPipeline
            {
                Temperature = settings.Temperature,
                TopP = settings.TopP,
                Seed = settings.Seed ?? (uint)Random.Shared.Next(),
            },
        };

        ILLamaExecutorLike executor = media.Count == 0 ? new Stateless(_weights, _parameters) : new Multimodal(_weights, _parameters, _mtmd!, media);
        try
        {
            await foreach (var piece in executor.InferAsync(prompt, inference, cancellationToken).ConfigureAwait(false))
            {
                usage.CompletionTokens++;
                yield return piece;
            }
        }
        finally
        {
            executor.Dispose();
        }
        usage.HitTokenLimit = usage.CompletionTokens >= settings.MaxTokens;
    }

    /// <summary>The model's own chat template; each media part becomes the projector's marker in its message.</summary>
    private string ApplyTemplate(IReadOnlyList<PromptMessage> messages, string? marker)
    {
        var template = new LLamaTemplate(_weights) { AddAssistant = true };
        foreach (var message in messages)
        {
            var content = new StringBuilder();
            foreach (var part in message.Parts)
            {
                if (part is TextPart text) content.Append(text.Text);
                else if (marker is not null) content.Append(marker).Append('\n');
            }
            template.Add(message.Role, content.ToString());
        }
        return Encoding.UTF8.GetString(template.Apply());
    }

    public override void Dispose()
    {
        _mtmd?.Dispose();
        _weights.Dispose();
    }

    private interface ILLamaExecutorLike : IDisposable
    {
        IAsyncEnumerable<string> InferAsync(string prompt, InferenceParams inference, CancellationToken cancellationToken);
    }

    private sealed class Stateless(LLamaWeights weights, ModelParams parameters) : ILLamaExecutorLike
    {
        private readonly StatelessExecutor _executor = new(weights, parameters) { ApplyTemplate = false };
        public IAsyncEnumerable<string> InferAsync(string prompt, InferenceParams inference, CancellationToken cancellationToken) => _executor.InferAsync(prompt, inference, cancellationToken);
        public void Dispose() { }
    }

    /// <summary>Media embeddings are made from the bytes (images, 16 kHz wav) and evaluated with the prompt in a fresh context.</summary>
    private sealed class Multimodal : ILLamaExecutorLike
    {
        private readonly LLamaContext _context;
        private readonly InteractiveExecutor _executor;

        public Multimodal(LLamaWeights weights, ModelParams parameters, MtmdWeights mtmd, IReadOnlyList<MediaPart> media)
        {
            _context = weights.CreateContext(parameters);
            _executor = new InteractiveExecutor(_context, mtmd);
            foreach (var part in media) _executor.Embeds.Add(mtmd.LoadMedia(part.Data));
        }

        public IAsyncEnumerable<string> InferAsync(string prompt, InferenceParams inference, CancellationToken cancellationToken) => _executor.InferAsync(prompt, inference, cancellationToken);

        public void Dispose() => _context.Dispose();
    }
}
