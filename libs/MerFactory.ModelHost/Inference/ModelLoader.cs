using Microsoft.Extensions.Options;

namespace MerFactory.ModelHost.Inference;

/// <summary>Picks the backend by the file's magic: GGUF → LLamaSharp, ggml ("lmgg") → Whisper.net.</summary>
public sealed class ModelLoader(IOptions<ModelHostOptions> options) : IModelLoader
{
    private const uint GgufMagic = 0x46554747;
    private const uint WhisperGgmlMagic = 0x67676d6c;

    public async Task<LocalModel> LoadAsync(ModelDefinition definition, CancellationToken cancellationToken)
    {
        if (!File.Exists(definition.Path)) throw new ModelNotFoundException(definition.Id, $"file '{definition.Path}' does not exist");
        if (definition.MmprojPath is { } mmproj && !File.Exists(mmproj)) throw new ModelLoadException(definition.Id, $"projector '{mmproj}' does not exist");
        uint magic;
        await using (var stream = File.OpenRead(definition.Path))
        {
            var header = new byte[4];
            magic = await stream.ReadAsync(header, cancellationToken).ConfigureAwait(false) == 4 ? BitConverter.ToUInt32(header) : 0;
        }
        var settings = options.Value;
        var threads = settings.Threads > 0 ? settings.Threads : Math.Max(1, Environment.ProcessorCount / Math.Max(1, settings.Slots));
        try
        {
            return magic switch
            {
                GgufMagic => await LlamaChatModel.LoadAsync(definition, settings.ContextSize, threads, cancellationToken).ConfigureAwait(false),
                WhisperGgmlMagic => new WhisperTranscriptionModel(definition.Id, definition.Path),
                _ => throw new ModelLoadException(definition.Id, $"'{definition.Path}' is neither GGUF nor a Whisper ggml model"),
            };
        }
        catch (Exception ex) when (ex is not (ModelLoadException or ModelNotFoundException or OperationCanceledException))
        {
            throw new ModelLoadException(definition.Id, ex.Message, ex);
        }
    }
}
