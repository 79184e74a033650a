using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Grpc.Core;
using MassTransit;
using MerFactory.Contracts;
using MerFactory.Contracts.Media;
using MerFactory.Jobs.Steps;
using MerFactory.Media;
using MerFactory.Protos.Media;
using ProtoRef = MerFactory.Protos.Common.ObjectRef;
using MerFactory.Steps;
using MerFactory.Steps.Grpc;
using MerFactory.Steps.Media;


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
        var completed = await steps.RequestForCallAsync(new ProbeMedia(Guid.Empty, FileIdOf(request.Source), await artifacts.ResolveForCallAsync(request.Source, context)), "media-extract", context);
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
        var completed = await steps.RequestForCallAsync(new ExtractAudio(Guid.Empty, FileIdOf(request.Source), await artifacts.ResolveForCallAsync(request.Source, context)), "media-extract", context);
        var result = Result<AudioStepResult>(completed);
        var reply = new ExtractAudioReply { HasAudio = result.HasAudio, DurationSeconds = result.DurationSeconds };
        if (completed.Outputs.TryGetValue("audio.wav", out var wav)) reply.Wav = wav.ToProto();
        return reply;
    }

    public override async Task<SampleFramesReply> SampleFrames(SampleFramesRequest request, ServerCallContext context)
    {
        var completed = await steps.RequestForCallAsync(new SampleFrames(Guid.Empty, FileIdOf(request.Source), await artifacts.ResolveForCallAsync(request.Source, context), request.Fps), "media-extract", context);
        var result = Result<SampledFramesResult>(completed);
        var reply = new SampleFramesReply();
        var byKey = completed.Outputs.Values.ToDictionary(o => o.Key, StringComparer.Ordinal);
        foreach (var frame in result.Frames)
        {
            reply.Frames.Add(byKey[frame.Key].ToProto());
            reply.Timestamps.Add(frame.TimestampSeconds);
        }
        return reply;
    }

    public override async Task<ExtractFrameReply> ExtractFrame(ExtractFrameRequest request, ServerCallContext context)
    {
        var completed = await steps.RequestForCallAsync(new ExtractFrame(Guid.Empty, FileIdOf(request.Source), await artifacts.ResolveForCallAsync(request.Source, context), request.TimestampSeconds), "media-extract", context);
        var result = Result<FrameStepResult>(completed);
        return new ExtractFrameReply { Frame = completed.Outputs["frame.png"].ToProto(), ActualTimestampSeconds = result.ActualSeconds, Attempts = result.Attempts };
    }

    private static T Result<T>(StepCompleted completed) => JsonSerializer.Deserialize<T>(completed.ResultJson, Json)!;

    private static string FileIdOf(ProtoRef source) => Path.GetFileNameWithoutExtension(source.Key);

}
