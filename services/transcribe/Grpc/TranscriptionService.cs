using Grpc.Core;
using MerFactory.Contracts;
using MerFactory.Contracts.Speech;
using MerFactory.Jobs.Steps;
using MerFactory.Steps.Speech;
using MerFactory.Protos.Common;
using MerFactory.Protos.Transcribe;
using ProtoRef = MerFactory.Protos.Common.ObjectRef;
using MerFactory.Steps;
using MerFactory.Steps.Grpc;


namespace MerFactory.Transcribe.Grpc;

/// <summary>
/// Speech recognition, voice activity and prosody. Calls go through the same step consumer as bus messages, so a
/// call and a message for the same audio share one transcript artifact and the step cache.
/// </summary>
public sealed class TranscriptionService(StepClient steps, ArtifactStore artifacts) : Transcription.TranscriptionBase
{
    public override Task<ServiceDescription> Describe(Empty request, ServerCallContext context) =>
        Task.FromResult(new ServiceDescription
        {
            Name = "transcribe",
            Version = typeof(TranscriptionService).Assembly.GetName().Version?.ToString() ?? "0",
            Capabilities = { "transcribe" },
        });

    public override async Task<TranscribeReply> Transcribe(TranscribeRequest request, ServerCallContext context)
    {
        if (TranscribeAudioConsumer.TryParseEngine(request.Engine) is null)
        {
            StepGrpc.Throw(StatusCode.InvalidArgument, $"unknown speech engine '{request.Engine}' (expected auto, whisper or pocketsphinx)");
        }
        var source = await artifacts.ResolveForCallAsync(request.Source, context);
        var message = new TranscribeAudio(Guid.Empty, Path.GetFileNameWithoutExtension(source.Key), source,
            string.IsNullOrWhiteSpace(request.Language) ? null : request.Language, string.IsNullOrWhiteSpace(request.Engine) ? "auto" : request.Engine);
        var result = (await steps.RequestForCallAsync(message, "transcribe", context)).Response;
        return new TranscribeReply
        {
            Transcript = result.Transcript.ToProto(),
            Text = result.Text,
            Language = result.Language,
            Status = result.Status.ToString(),
            Engine = result.Engine,
            ModelId = result.ModelId,
            DurationSeconds = result.DurationSeconds,
        };
    }

}
