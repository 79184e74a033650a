using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Grpc.Core;
using MerFactory.Protos.Jobs;
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
    public async Task EveryResourceBecomesHealthyAndAJobSubmittedThroughTheApiLeavesTheWavAndFramesInS3()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.MerFactory_AppHost>(
            ["DcpPublisher:RandomizePorts=false", "MerFactory:UseContainers=false",
             // What `merfactory models install --from ../shared/data` would provide.
             $"AuModels:ModelsDirectory={SharedData.Data}", "AuModels:YuNetModelPath=models/face_detection_yunet_2026may.onnx",
             $"Speech:Vad:ModelPath={SharedData.DataPath("models", "silero_vad.onnx")}"], cts.Token);
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

            // A whole job through the job API (synthesis): upload, submit, watch to the end, list outputs.
            using var jobsChannel = GrpcChannel.ForAddress(app.GetEndpoint("synthesis", "grpc"));
            var jobs = new Jobs.JobsClient(jobsChannel);
            ProtoRef input;
            using (var upload = jobs.Upload(cancellationToken: cts.Token))
            {
                var bytes = await File.ReadAllBytesAsync(SharedData.DataPath("media", "openface_samples", "default.wmv"), cts.Token);
                await upload.RequestStream.WriteAsync(new UploadChunk { FileName = "default.wmv", Data = Google.Protobuf.ByteString.CopyFrom(bytes) }, cts.Token);
                await upload.RequestStream.CompleteAsync();
                input = await upload;
            }
            // MER runs every step kind; with no LLM configured its LLM steps are skipped, not failed.
            var submit = new SubmitJobRequest { OptionsJson = """{"type":"MER","frameSampleFps":1}""" };
            submit.Inputs.Add(new JobInput { RelativePath = "clips/default.wmv", Object = input });
            var jobId = (await jobs.SubmitAsync(submit, cancellationToken: cts.Token)).JobId;
            var events = new List<JobEvent>();
            using (var watch = jobs.Watch(new WatchJobRequest { JobId = jobId }, cancellationToken: cts.Token))
            {
                await foreach (var e in watch.ResponseStream.ReadAllAsync(cts.Token)) events.Add(e);
            }
            Assert.Equal("job-completed", events[^1].State);
            Assert.Contains(events, e => e.Step == "extract-audio" && e.State is "completed" or "cached");
            Assert.Contains(events, e => e.Step == "sample-frames" && e.State is "completed" or "cached");
            var status = await jobs.GetStatusAsync(new WatchJobRequest { JobId = jobId }, cancellationToken: cts.Token);
            Assert.True(status.Completed && status.FilesFailed == 0, string.Join("; ", status.Errors));
            var outputs = (await jobs.ListOutputsAsync(new WatchJobRequest { JobId = jobId }, cancellationToken: cts.Token)).Outputs;
            var jobWav = outputs.Single(o => o.RelativePath == "default/default.wav");
            Assert.InRange(jobWav.Object.Size, 16000 * 2 * 18, 16000 * 2 * 21);
            Assert.NotNull(await store.StatAsync(jobWav.Object.Key, cts.Token));
            Assert.Contains(outputs, o => o.RelativePath == "run_summary.json");
            var sampled = new List<ObjectInfo>();
            await foreach (var o in store.ListAsync("artifacts/sample-frames/", cts.Token)) sampled.Add(o);
            Assert.True(sampled.Count(o => o.Key.EndsWith(".png", StringComparison.Ordinal)) >= 38 + 19, "the job's frames (1 fps) are in S3 beside the 2 fps ones");
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
        }
    }
}
