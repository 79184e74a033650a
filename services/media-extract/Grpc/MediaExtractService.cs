using System.Diagnostics.CodeAnalysis;
using Grpc.Core;
using MassTransit;
using MerFactory.Contracts;
using MerFactory.Contracts.Media;
using MerFactory.Jobs.Steps;
using MerFactory.Protos.Media;
using ProtoRef = MerFactory.Protos.Common.ObjectRef;
using MerFactory.Steps;
using MerFactory.Steps.Grpc;


namespace MerFactory.MediaExtract.Grpc;

/// <summary>
/// The gRPC face of media-extract. Each call goes through the same step consumers as bus messages, so a
/// call and a message for the same input share one artifact and the step cache.
/// </summary>
public sealed class MediaExtractService(StepClient steps, ArtifactStore artifacts) : Protos.Media.MediaExtract.MediaExtractBase
{
    public override async Task<ProbeReply> Probe(ProbeRequest request, ServerCallContext context)
    {
        var completed = await steps.RequestForCallAsync(new ProbeMedia(Guid.Empty, FileIdOf(request.Source), await artifacts.ResolveForCallAsync(request.Source, context)), "media-extract", context);
        var probe = completed.Response;
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
        var completed = await steps.RequestForCallAsync(new ExtractAudio(Guid.Empty, FileIdOf(request.Source), await artifacts.ResolveForCallAsync(request.Source, context)), "media-extract", context);
        var result = completed.Response;
        var reply = new ExtractAudioReply { HasAudio = result.HasAudio, DurationSeconds = result.DurationSeconds };
        if (result.Wav is { } wav) reply.Wav = wav.ToProto();
        return reply;
    }

    public override async Task<SampleFramesReply> SampleFrames(SampleFramesRequest request, ServerCallContext context)
    {
        var completed = await steps.RequestForCallAsync(new SampleFrames(Guid.Empty, FileIdOf(request.Source), await artifacts.ResolveForCallAsync(request.Source, context), request.Fps), "media-extract", context);
        var reply = new SampleFramesReply();
        foreach (var frame in completed.Response.Frames)
        {
            reply.Frames.Add(frame.Frame.ToProto());
            reply.Timestamps.Add(frame.TimestampSeconds);
        }
        return reply;
    }

    public override async Task<ExtractFrameReply> ExtractFrame(ExtractFrameRequest request, ServerCallContext context)
    {
        var completed = await steps.RequestForCallAsync(new ExtractFrame(Guid.Empty, FileIdOf(request.Source), await artifacts.ResolveForCallAsync(request.Source, context), request.TimestampSeconds), "media-extract", context);
        var result = completed.Response;
        return new ExtractFrameReply { Frame = result.Frame.ToProto(), ActualTimestampSeconds = result.ActualSeconds, Attempts = result.Attempts };
    }

    private static string FileIdOf(ProtoRef source) => Path.GetFileNameWithoutExtension(source.Key);

}
