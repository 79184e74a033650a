using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using MerFactory.Protos.Media;
using MerFactory.Storage;
using MerFactory.Testing;
using ProtoRef = MerFactory.Protos.Common.ObjectRef;

namespace MerFactory.AppHost.Tests;

/// <summary>Starts the real AppHost (RabbitMQ and s3rver as executables here) and drives a service through it.</summary>
public sealed class AppHostTests
{
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task EveryResourceBecomesHealthyAndMediaExtractWritesTheWavAndFramesToS3()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.MerFactory_AppHost>(
            ["DcpPublisher:RandomizePorts=false", "MerFactory:UseContainers=false"], cts.Token);
        await using var app = await builder.BuildAsync(cts.Token);
        try
        {
            await app.StartAsync(cts.Token);
            var model = app.Services.GetRequiredService<DistributedApplicationModel>();
            foreach (var resource in model.Resources.Where(r => (r is ProjectResource or ExecutableResource) && !r.Name.EndsWith("-rebuilder", StringComparison.Ordinal)))
            {
                try
                {
                    await app.ResourceNotifications.WaitForResourceHealthyAsync(resource.Name, cts.Token).WaitAsync(StartupTimeout, cts.Token);
                }
                catch (TimeoutException)
                {
                    var states = model.Resources.Select(r => app.ResourceNotifications.TryGetCurrentState(r.Name, out var e)
                        ? $"{r.Name}={e.Snapshot.State?.Text}/{e.Snapshot.HealthStatus}" : $"{r.Name}=?");
                    throw new TimeoutException($"{resource.Name} did not become healthy in {StartupTimeout}: {string.Join(", ", states)}");
                }
            }

            // Upload the clip the way a client of the deployment would, then ask media-extract for its audio and frames.
            var s3Endpoint = await app.GetConnectionStringAsync("objectstore", cts.Token);
            using var store = new S3ObjectStore(new S3StoreOptions { Endpoint = s3Endpoint!, Bucket = "merfactory" });
            await using var clip = File.OpenRead(SharedData.DataPath("media", "openface_samples", "default.wmv"));
            var uploaded = await store.PutAsync($"uploads/{Guid.NewGuid():N}/default.wmv", clip, "video/x-ms-wmv", cts.Token);
            var source = new ProtoRef { Bucket = store.Bucket, Key = uploaded.Key, Size = uploaded.Size, Sha256 = uploaded.Sha256 };

            using var channel = GrpcChannel.ForAddress(app.GetEndpoint("media-extract", "grpc"));
            var client = new MediaExtract.MediaExtractClient(channel);
            var audio = await client.ExtractAudioAsync(new ExtractAudioRequest { Source = source }, cancellationToken: cts.Token);
            var frames = await client.SampleFramesAsync(new SampleFramesRequest { Source = source, Fps = 2 }, cancellationToken: cts.Token);

            Assert.True(audio.HasAudio);
            var wav = await store.StatAsync(audio.Wav.Key, cts.Token);
            Assert.NotNull(wav);
            Assert.InRange(wav!.Size, 16000 * 2 * 18, 16000 * 2 * 21); // 19.2 s of 16 kHz 16-bit mono
            Assert.InRange(frames.Frames.Count, 37, 40);                // 2 fps over 19.2 s
            foreach (var frame in frames.Frames)
                Assert.NotNull(await store.StatAsync(frame.Key, cts.Token));
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
        }
    }
}
