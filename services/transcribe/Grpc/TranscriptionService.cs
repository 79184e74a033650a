using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Grpc.Core;
using MassTransit;
using MerFactory.Contracts;
using MerFactory.Contracts.Media;
using MerFactory.Contracts.Speech;
using MerFactory.Jobs.Steps;
using MerFactory.Pipeline.Consumers;
using MerFactory.Protos.Common;
using MerFactory.Protos.Transcribe;
using ProtoRef = MerFactory.Protos.Common.ObjectRef;

namespace MerFactory.Transcribe.Grpc;

/// <summary>
/// Speech recognition, voice activity and prosody. Calls go through the same step consumer as bus messages, so a
/// call and a message for the same audio share one transcript artifact and the step cache.
/// </summary>
public sealed class TranscriptionService(StepClient steps, ArtifactStore artifacts) : Transcription.TranscriptionBase
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

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
            Throw(StatusCode.InvalidArgument, $"unknown speech engine '{request.Engine}' (expected auto, whisper or pocketsphinx)");
        }
        var source = await ToContractAsync(request.Source, context);
        var message = new TranscribeAudio(Guid.Empty, Path.GetFileNameWithoutExtension(source.Key), source,
            string.IsNullOrWhiteSpace(request.Language) ? null : request.Language, string.IsNullOrWhiteSpace(request.Engine) ? "auto" : request.Engine);
        var completed = await RunAsync(message, context);
        var result = JsonSerializer.Deserialize<TranscribeStepResult>(completed.ResultJson, Json)!;
        return new TranscribeReply
        {
            Transcript = ToProto(completed.Outputs[TranscribeAudioConsumer.TranscriptOutput]),
            Text = result.Text,
            Language = result.Language,
            Status = result.Status,
            Engine = result.Engine,
            ModelId = result.ModelId,
            DurationSeconds = result.DurationSeconds,
        };
    }

    private async Task<StepCompleted> RunAsync<T>(T message, ServerCallContext context) where T : class, IStepRequest
    {
        try
        {
            return await steps.RequestAsync(message, context.CancellationToken);
        }
        catch (RequestFaultException fault)
        {
            Throw(StatusCode.InvalidArgument, fault.Fault?.Exceptions.FirstOrDefault()?.Message ?? fault.Message);
            throw;
        }
        catch (RequestTimeoutException)
        {
            Throw(StatusCode.DeadlineExceeded, "transcribe did not finish the step in time");
            throw;
        }
    }

    [DoesNotReturn]
    private static void Throw(StatusCode code, string detail) => throw new RpcException(new Status(code, detail));

    private async Task<ObjectReference> ToContractAsync(ProtoRef source, ServerCallContext context)
    {
        if (source is null || string.IsNullOrEmpty(source.Key)) Throw(StatusCode.InvalidArgument, "source object reference is required");
        try
        {
            return await artifacts.ResolveAsync(new ObjectReference(source.Bucket, source.Key, source.Size, source.Sha256, source.ContentType), context.CancellationToken);
        }
        catch (Storage.ObjectNotFoundException e)
        {
            Throw(StatusCode.NotFound, e.Message);
            throw;
        }
    }

    private static ProtoRef ToProto(ObjectReference r) =>
        new() { Bucket = r.Bucket, Key = r.Key, Size = r.Size, Sha256 = r.Sha256, ContentType = r.ContentType ?? "" };
}
