using Grpc.Core;
using OpenAiErrors = MerFactory.ModelHost.Http.OpenAiErrors;
using MerFactory.ModelHost.Inference;
using MerFactory.ModelHost.Models;
using MerFactory.ModelHost.Serving;
using MerFactory.Protos.Common;
using MerFactory.Protos.HfServer;
using Microsoft.Extensions.Options;

namespace MerFactory.ModelHost.Grpc;

/// <summary>The gRPC ModelServer: the same operations as the HTTP surface, with failures as RpcException statuses.</summary>
public sealed class ModelServerGrpcService(LocalModelHost host, ModelResolver resolver, IOptions<ModelHostOptions> options) : ModelServer.ModelServerBase
{
    public override Task<ServiceDescription> Describe(Empty request, ServerCallContext context) =>
        Task.FromResult(new ServiceDescription
        {
            Name = "hf-server",
            Version = typeof(ModelServerGrpcService).Assembly.GetName().Version?.ToString() ?? "0",
            Capabilities = { "model-server", "chat", "transcription", "openai-http" },
        });

    public override Task<ModelList> ListModels(Empty request, ServerCallContext context)
    {
        var loaded = host.Pool.Loaded.ToDictionary(l => l.Id, l => l.Modalities, StringComparer.OrdinalIgnoreCase);
        var list = new ModelList();
        foreach (var id in resolver.Available().Concat(loaded.Keys).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var info = new ModelInfo { Id = id, Loaded = loaded.ContainsKey(id) };
            if (loaded.TryGetValue(id, out var modalities)) info.Modalities.AddRange(modalities.Names());
            list.Models.Add(info);
        }
        return Task.FromResult(list);
    }

    public override async Task Chat(ChatRequest request, IServerStreamWriter<ChatChunk> responseStream, ServerCallContext context)
    {
        var model = request.Model is { Length: > 0 } m ? m : options.Value.DefaultModel ?? throw Status(StatusCode.InvalidArgument, "model is required");
        var messages = request.Messages.Select(ToPrompt).ToList();
        if (messages.Count == 0) throw Status(StatusCode.InvalidArgument, "messages must not be empty");
        var settings = new GenerationSettings(request.MaxTokens > 0 ? request.MaxTokens : options.Value.DefaultMaxTokens, request.Temperature,
            request.TopP > 0 ? request.TopP : 1f, request.HasSeed ? request.Seed : null);
        ChatRun run;
        try
        {
            run = await host.StartChatAsync(model, messages, settings, context.CancellationToken);
        }
        catch (Exception ex) when (ToRpc(ex, context) is { } rpc)
        {
            throw rpc;
        }
        using (run)
        {
            await foreach (var piece in run.Pieces(context.CancellationToken))
                await responseStream.WriteAsync(new ChatChunk { Text = piece, Model = run.Model }, context.CancellationToken);
            await responseStream.WriteAsync(new ChatChunk
            {
                Model = run.Model,
                FinishReason = run.Usage.HitTokenLimit ? "length" : "stop",
                PromptTokens = run.Usage.PromptTokens,
                CompletionTokens = run.Usage.CompletionTokens,
            }, context.CancellationToken);
        }
    }

    public override async Task<TranscribeReply> Transcribe(TranscribeRequest request, ServerCallContext context)
    {
        var model = request.Model is { Length: > 0 } m ? m : options.Value.DefaultModel ?? throw Status(StatusCode.InvalidArgument, "model is required");
        if (request.Audio.IsEmpty) throw Status(StatusCode.InvalidArgument, "audio is empty");
        try
        {
            return new TranscribeReply { Text = await host.TranscribeAsync(model, request.Audio.ToByteArray(), request.Language is { Length: > 0 } l ? l : null, context.CancellationToken) };
        }
        catch (Exception ex) when (ToRpc(ex, context) is { } rpc)
        {
            throw rpc;
        }
    }

    private static PromptMessage ToPrompt(ChatMessage message) => new(message.Role is { Length: > 0 } r ? r : "user", message.Parts.Select(part => part.KindCase switch
    {
        ChatPart.KindOneofCase.Text => (PromptPart)new TextPart(part.Text),
        ChatPart.KindOneofCase.Image => new MediaPart(ModelModality.Image, part.Image.Data.ToByteArray(), part.Image.Format),
        ChatPart.KindOneofCase.Audio => new MediaPart(ModelModality.Audio, part.Audio.Data.ToByteArray(), part.Audio.Format),
        ChatPart.KindOneofCase.Video => new MediaPart(ModelModality.Video, part.Video.Data.ToByteArray(), part.Video.Format),
        _ => throw Status(StatusCode.InvalidArgument, "a chat part has no content"),
    }).ToList());

    private static RpcException? ToRpc(Exception exception, ServerCallContext context)
    {
        switch (exception)
        {
            case QueueFullException full:
                context.ResponseTrailers.Add("retry-after-seconds", full.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
                return Status(StatusCode.ResourceExhausted, full.Message);
            case ModalityNotSupportedException modality:
                context.ResponseTrailers.Add("error-code", OpenAiErrors.ModalityNotSupported);
                return Status(StatusCode.InvalidArgument, modality.Message);
            case ModelNotFoundException missing:
                return Status(StatusCode.NotFound, missing.Message);
            case InvalidDataException media:
                return Status(StatusCode.InvalidArgument, media.Message);
            case ModelLoadException load:
                return Status(StatusCode.Unavailable, load.Message);
            default:
                return null;
        }
    }

    private static RpcException Status(StatusCode code, string message) => new(new Status(code, message));
}
