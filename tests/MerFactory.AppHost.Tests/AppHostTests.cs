using System.Text.Json;
using Aspire.Hosting.Testing;
using Grpc.Net.Client;
using MerFactory.Llm.Tests.Fakes;
using MerFactory.Protos.Clients;
using MerFactory.Protos.Jobs;
using MerFactory.Protos.Media;
using MerFactory.Storage;
using MerFactory.Testing;
using ProtoRef = MerFactory.Protos.Common.ObjectRef;

namespace MerFactory.AppHost.Tests;

/// <summary>Drives the real AppHost (one start for the class, <see cref="AppHostFixture"/>) as a client of the deployment would.</summary>
[Collection(AppHostCollection.Name)]
public sealed class AppHostTests(AppHostFixture fixture) : IDisposable
{
    private readonly string _downloads = Directory.CreateTempSubdirectory("mf-apphost-out-").FullName;

    public void Dispose() => Directory.Delete(_downloads, recursive: true);

    private JobsApiClient Jobs(out GrpcChannel channel)
    {
        channel = ApiChannel.Create(fixture.App.GetEndpoint("jobs", "grpc").AbsoluteUri, fixture.ApiToken, new GrpcChannelOptions { MaxReceiveMessageSize = 64 << 20 });
        return new JobsApiClient(new Jobs.JobsClient(channel));
    }

    [Fact]
    public async Task EveryResourceBecomesHealthyAndAJobSubmittedThroughTheApiLeavesTheWavAndFramesInS3()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        var app = fixture.App;

        // Upload the clip the way a client of the deployment would, then ask media-extract for its audio and frames.
        var s3Endpoint = await app.GetConnectionStringAsync("objectstore", cts.Token);
        using var store = new S3ObjectStore(new S3StoreOptions { Endpoint = s3Endpoint!, Bucket = "merfactory" });
        await using var clip = File.OpenRead(SharedData.DataPath("media", "openface_samples", "default.wmv"));
        var uploaded = await store.PutAsync($"uploads/{Guid.NewGuid():N}/default.wmv", clip, "video/x-ms-wmv", cts.Token);
        var source = new ProtoRef { Bucket = store.Bucket, Key = uploaded.Key, Size = uploaded.Size, Sha256 = uploaded.Sha256 };

        using var channel = ApiChannel.Create(app.GetEndpoint("media-extract", "grpc").AbsoluteUri, fixture.ServiceToken);
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

        // A whole job through the job API (jobs): upload, submit, watch to the end, list outputs.
        var jobs = Jobs(out var jobsChannel);
        using (jobsChannel)
        {
            var job = await jobs.RunAsync("""{"type":"MER","frameSampleFps":1}""",
                new Dictionary<string, string> { ["clips/default.wmv"] = SharedData.DataPath("media", "openface_samples", "default.wmv") }, cts.Token);
            Assert.Equal("job-completed", job.Events[^1].State);
            Assert.Contains(job.Events, e => e.Step == "extract-audio" && e.State is "completed" or "cached");
            Assert.Contains(job.Events, e => e.Step == "sample-frames" && e.State is "completed" or "cached");
            Assert.Contains(job.Events, e => e.Step == "transcribe" && e.State is "completed" or "cached");
            Assert.True(job.Status.Completed && job.Status.FilesFailed == 0, string.Join("; ", job.Status.Errors));
            var jobWav = job.Outputs.Single(o => o.RelativePath == "default/default.wav");
            Assert.InRange(jobWav.Object.Size, 16000 * 2 * 18, 16000 * 2 * 21);
            Assert.NotNull(await store.StatAsync(jobWav.Object.Key, cts.Token));
            Assert.Contains(job.Outputs, o => o.RelativePath == "run_summary.json");
            Assert.Contains(job.Outputs, o => o.RelativePath == "default/default_merr_data.json");
            var sampled = new List<ObjectInfo>();
            await foreach (var o in store.ListAsync("artifacts/sample-frames/", cts.Token)) sampled.Add(o);
            Assert.True(sampled.Count(o => o.Key.EndsWith(".png", StringComparison.Ordinal)) >= 38 + 19, "the job's frames (1 fps) are in S3 beside the 2 fps ones");
        }
    }

    [Fact]
    public async Task AMerJobOverAVideoAnImageAndASpeechClipWritesEveryRecordInItsSchema()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        var jobs = Jobs(out var channel);
        using (channel)
        {
            var job = await jobs.RunAsync("""{"type":"MER"}""", new Dictionary<string, string>
            {
                ["default.wmv"] = SharedData.DataPath("media", "openface_samples", "default.wmv"),
                ["single_face.jpg"] = SharedData.DataPath("media", "pyfeat", "single_face.jpg"),
                ["jfk.wav"] = SharedData.DataPath("speech", "jfk.wav"),
            }, cts.Token);
            Assert.True(job.Status.Completed && job.Status.FilesTotal == 3 && job.Status.FilesFailed == 0 && job.Status.Errors.Count == 0,
                string.Join("; ", job.Status.Errors));
            await jobs.DownloadAsync(job, _downloads, cts.Token);
        }

        Assert.Empty(fixture.Model.Rejections); // every request carried the key the AppHost handed over as a secret parameter
        var mer = OutputSchemas.AssertValidFile("merr_data", Out("default", "_merr_data.json"));
        Assert.EndsWith("the most likely cause is the evidence at hand.", mer["final_summary"]!.GetValue<string>());
        Assert.InRange(mer["overall_peak_frame_info"]!["frame_number"]!.GetValue<int>(), 1, 288);
        Assert.True(File.Exists(Out("default", "_peak_frame.png")));
        Assert.True(File.Exists(Out("default", ".csv")));
        OutputSchemas.AssertValidFile("au_analysis", Out("default", "_au_analysis.json")); // MER keeps the AU record too
        // The media sidecar names the uploaded clip in the store (the dashboard resource serves it from there).
        var sourceKey = JsonDocument.Parse(await File.ReadAllTextAsync(Out("default", "_media.json"))).RootElement.GetProperty("SourceKey").GetString();
        Assert.Matches("^uploads/default/[^/]+/default\\.wmv$", sourceKey);
        var image = OutputSchemas.AssertValidFile("image_analysis", Out("single_face", "_image_analysis.json"));
        Assert.EndsWith("based on the evidence at hand.", image["final_summary"]!.GetValue<string>());
        OutputSchemas.AssertValidFile("audio_analysis", Out("jfk", "_audio_analysis.json"));
        // The audio step of a text-and-image model got the transcript the transcribe service made.
        var transcript = JsonDocument.Parse(await File.ReadAllTextAsync(Out("jfk", "_transcript.json"))).RootElement;
        Assert.Contains("country", transcript.GetProperty("text").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Contains(fixture.Model.Calls, c => c.Media.Count == 0 && c.AllText.Contains("what your country can do", StringComparison.OrdinalIgnoreCase));
        var synthesis = Assert.Single(fixture.Model.Calls, c => InstructionFollowingModel.IsSynthesis(c) && c.AllText.Contains("Chronological Emotion Peaks", StringComparison.Ordinal));
        Assert.Contains("- Video Content Overview: A person in a plain room", synthesis.AllText);
    }

    [Fact]
    public async Task VideoAndAuJobsOverTheSameClipWriteTheirRecordsInTheirSchemas()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        var jobs = Jobs(out var channel);
        using (channel)
        {
            var clip = new Dictionary<string, string> { ["single_face.mp4"] = SharedData.DataPath("media", "pyfeat", "single_face.mp4") };
            var runs = await Task.WhenAll(jobs.RunAsync("""{"type":"Video"}""", clip, cts.Token), jobs.RunAsync("""{"type":"AU"}""", clip, cts.Token));
            foreach (var job in runs)
            {
                Assert.True(job.Status.Completed && job.Status.FilesTotal == 1 && job.Status.FilesFailed == 0 && job.Status.Errors.Count == 0, string.Join("; ", job.Status.Errors));
                await jobs.DownloadAsync(job, Path.Combine(_downloads, job.JobId), cts.Token);
            }
            var video = OutputSchemas.AssertValidFile("video_analysis", Path.Combine(_downloads, runs[0].JobId, "single_face", "single_face_video_analysis.json"));
            Assert.StartsWith("A person in a plain room", video["llm_video_summary"]!.GetValue<string>());
            OutputSchemas.AssertValidFile("au_analysis", Path.Combine(_downloads, runs[1].JobId, "single_face", "single_face_au_analysis.json"));
            Assert.DoesNotContain(runs[1].Events, e => e.Step.StartsWith("llm-", StringComparison.Ordinal)); // AU needs no model
        }
    }

    private string Out(string id, string suffix) => Path.Combine(_downloads, id, id + suffix);
}
