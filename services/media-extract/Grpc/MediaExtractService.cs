using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Grpc.Core;
using MassTransit;
using MerFactory.Contracts;
using MerFactory.Contracts.Media;
using MerFactory.Jobs.Steps;
using MerFactory.Media;
using MerFactory.Pipeline.Consumers;
using MerFactory.Protos.Media;
using ProtoRef = MerFactory.Protos.Common.ObjectRef;

namespace MerFactory.MediaExtract.Grpc;

/// <summary>
/// The gRPC face of media-extract. Each call goes through the same step consumers as bus messages, so a
/// call and a message for the same input share one artifact and the step cache.
/// </summary>
public sealed class MediaExtractService(StepClient steps, ArtifactStore artifacts) : Protos.Media.MediaExtract.MediaExtractBase
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public override async Task<ProbeReply> Probe(ProbeRequest request, ServerCallContext context)
    {
        var completed = await RunAsync(new ProbeMedia(Guid.Empty, FileIdOf(request.Source), await ToContractAsync(request.Source, context)), context);
        var probe = Result<MediaProbe>(completed);
        var reply = new ProbeReply
        {
            DurationSeconds = probe.DurationSeconds,
            FrameRate = probe.FrameRate,
            HasVideo = probe.HasVideo,
            HasAudio = probe.HasAudio,
            FormatName = probe.FormatName,
        };
        reply.Streams.AddRange(probe.Streams.Select(s => new StreamInfo
        {
            Kind = s.Kind, Codec = s.Codec, Width = s.Width, Height = s.Height, FrameRate = s.FrameRate,
            SampleRate = s.SampleRate, Channels = s.Channels, Rotation = s.Rotation,
        }));
        return reply;
    }

    public override async Task<ExtractAudioReply> ExtractAudio(ExtractAudioRequest request, ServerCallContext context)
    {
        var completed = await RunAsync(new ExtractAudio(Guid.Empty, FileIdOf(request.Source), await ToContractAsync(request.Source, context)), context);
        var result = Result<AudioStepResult>(completed);
        var reply = new ExtractAudioReply { HasAudio = result.HasAudio, DurationSeconds = result.DurationSeconds };
        if (completed.Outputs.TryGetValue("audio.wav", out var wav)) reply.Wav = ToProto(wav);
        return reply;
    }

    public override async Task<SampleFramesReply> SampleFrames(SampleFramesRequest request, ServerCallContext context)
    {
        var completed = await RunAsync(new SampleFrames(Guid.Empty, FileIdOf(request.Source), await ToContractAsync(request.Source, context), request.Fps), context);
        var result = Result<SampledFramesResult>(completed);
        var reply = new SampleFramesReply();
        var byKey = completed.Outputs.Values.ToDictionary(o => o.Key, StringComparer.Ordinal);
        foreach (var frame in result.Frames)
        {
            reply.Frames.Add(ToProto(byKey[frame.Key]));
            reply.Timestamps.Add(frame.TimestampSeconds);
        }
        return reply;
    }

    public override async Task<ExtractFrameReply> ExtractFrame(ExtractFrameRequest request, ServerCallContext context)
    {
        var completed = await RunAsync(new ExtractFrame(Guid.Empty, FileIdOf(request.Source), await ToContractAsync(request.Source, context), request.TimestampSeconds), context);
        var result = Result<FrameStepResult>(completed);
        return new ExtractFrameReply { Frame = ToProto(completed.Outputs["frame.png"]), ActualTimestampSeconds = result.ActualSeconds, Attempts = result.Attempts };
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
            Throw(StatusCode.DeadlineExceeded, "media-extract did not finish the step in time");
            throw;
        }
    }

    [DoesNotReturn]
    private static void Throw(StatusCode code, string detail) => throw new RpcException(new Status(code, detail));

    private static T Result<T>(StepCompleted completed) => JsonSerializer.Deserialize<T>(completed.ResultJson, Json)!;

    private static string FileIdOf(ProtoRef source) => Path.GetFileNameWithoutExtension(source.Key);

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
