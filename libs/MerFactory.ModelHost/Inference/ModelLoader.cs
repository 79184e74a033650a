using LLama.Native;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MerFactory.ModelHost.Inference;

/// <summary>Picks the backend by the file's magic: GGUF → LLamaSharp, ggml ("lmgg") → Whisper.net.</summary>
public sealed partial class ModelLoader : IModelLoader
{
    private const uint GgufMagic = 0x46554747;
    private const uint WhisperGgmlMagic = 0x67676d6c;
    private static int _nativeLogSet;
    private readonly IOptions<ModelHostOptions> options;

    public ModelLoader(IOptions<ModelHostOptions> options, ILogger<ModelLoader> logger)
    {
        this.options = options;
        // llama.cpp writes hundreds of lines per load and per context to stderr; route them through logging instead,
        // warnings and errors as such, the rest at Debug. Set once, before the first native call.
        if (Interlocked.Exchange(ref _nativeLogSet, 1) == 0)
        {
            NativeLogConfig.llama_log_set((level, message) =>
            {
                var text = message.TrimEnd();
                if (text.Length == 0) return;
                if (level == LLamaLogLevel.Error) LogNativeError(logger, text);
                else if (level == LLamaLogLevel.Warning) LogNativeWarning(logger, text);
                else LogNativeDebug(logger, text);
            });
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "llama.cpp: {Text}")]
    private static partial void LogNativeError(ILogger logger, string text);

    [LoggerMessage(Level = LogLevel.Warning, Message = "llama.cpp: {Text}")]
    private static partial void LogNativeWarning(ILogger logger, string text);

    [LoggerMessage(Level = LogLevel.Debug, Message = "llama.cpp: {Text}")]
    private static partial void LogNativeDebug(ILogger logger, string text);

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
