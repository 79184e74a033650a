using Grpc.Core;
using Grpc.Net.Client;
using MerFactory.Protos.Media;
using MerFactory.Testing;
using ProtoRef = MerFactory.Protos.Common.ObjectRef;

namespace MerFactory.Distributed.Tests;

public sealed class MediaExtractGrpcTests(DistributedFixture fixture) : IClassFixture<DistributedFixture>
{
    [Fact]
    public async Task TheGrpcApiExtractsAudioFramesAndAPeakFrameIntoTheObjectStore()
    {
        using var service = fixture.StartMediaExtract(out var port, out var log);
        try
        {
            using var store = fixture.CreateStore();
            await using var clip = File.OpenRead(SharedData.DataPath("media", "pyfeat", "single_face.mp4"));
            var uploaded = await store.PutAsync($"uploads/{Guid.NewGuid():N}/single_face.mp4", clip);
            // No hash given: the service computes it (step keys depend on it).
            var source = new ProtoRef { Bucket = store.Bucket, Key = uploaded.Key };
            using var channel = DistributedFixture.Channel(port);
            var client = new MediaExtract.MediaExtractClient(channel);
            var deadline = DateTime.UtcNow.AddMinutes(3);

            ProbeReply probe;
            try
            {
                probe = await client.ProbeAsync(new ProbeRequest { Source = source }, new CallOptions(deadline: deadline).WithWaitForReady());
            }
            catch (RpcException e)
            {
                throw new Xunit.Sdk.XunitException($"{e.Status}\n{log}");
            }
            var audio = await client.ExtractAudioAsync(new ExtractAudioRequest { Source = source }, deadline: deadline);
            var frames = await client.SampleFramesAsync(new SampleFramesRequest { Source = source, Fps = 5 }, deadline: deadline);
            var frame = await client.ExtractFrameAsync(new ExtractFrameRequest { Source = source, TimestampSeconds = 1.0 }, deadline: deadline);
            var missing = await Assert.ThrowsAsync<RpcException>(() => client.ProbeAsync(new ProbeRequest { Source = new ProtoRef { Key = "uploads/none.mp4" } }, deadline: deadline).ResponseAsync);

            Assert.True(probe.HasVideo && probe.HasAudio);
            Assert.Equal(30, probe.FrameRate, 1);
            Assert.True(audio.HasAudio);
            Assert.NotNull(await store.StatAsync(audio.Wav.Key));
            Assert.InRange(frames.Frames.Count, 11, 13);
            Assert.Equal(frames.Frames.Count, frames.Timestamps.Count);
            Assert.NotNull(await store.StatAsync(frame.Frame.Key));
            // Far past the end, even the ±2 frame fallbacks find nothing: a clear client error, not a crash.
            var pastEnd = await Assert.ThrowsAsync<RpcException>(() => client.ExtractFrameAsync(new ExtractFrameRequest { Source = source, TimestampSeconds = 99 }, deadline: deadline).ResponseAsync);
            Assert.Equal(StatusCode.InvalidArgument, pastEnd.StatusCode);
            Assert.Contains("99.00s", pastEnd.Status.Detail);
            Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unknown)
        {
            throw new Xunit.Sdk.XunitException($"{e.Status}\n{log}");
        }
        finally
        {
            service.Kill(entireProcessTree: true);
        }
    }
}
