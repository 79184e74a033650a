using System.Text;
using System.Text.Json;
using Grpc.Core;
using Grpc.Net.Client;
using MerFactory.Protos.Export;
using MerFactory.Storage;

namespace MerFactory.Distributed.Tests;

public sealed class ExportGrpcTests(DistributedFixture fixture) : IClassFixture<DistributedFixture>
{
    private const string Summary = "The lid tightener points to irritation.\nIn conclusion, frustration.";

    [Fact]
    public async Task ExportReadsAMerDatasetFromS3AndWritesShareGptJsonBackToS3()
    {
        using var service = fixture.StartService("export", "MerFactory.ExportService.dll", DistributedFixture.UserCredentials(), out var port, out var log);
        try
        {
            using var store = fixture.CreateStore();
            var prefix = $"datasets/alice/{Guid.NewGuid():N}/";
            await UploadMerRecordAsync(store, prefix, "clip01", withAudioPath: true);
            await UploadMerRecordAsync(store, prefix, "clip02", withAudioPath: false);
            await PutTextAsync(store, $"{prefix}broken/broken_merr_data.json", "{ \"source_path\": ");
            await PutTextAsync(store, $"{prefix}error_logs/clip03_error.log", "Traceback ...");
            using var channel = DistributedFixture.Channel(port, DistributedFixture.AliceToken);
            var client = new DatasetExport.DatasetExportClient(channel);
            var deadline = DateTime.UtcNow.AddMinutes(2);

            ExportReply reply;
            try
            {
                reply = await client.ExportAsync(new ExportRequest { DatasetPrefix = prefix, FileType = "mer", Seed = 3, ExportCsv = true },
                    new CallOptions(deadline: deadline).WithWaitForReady());
            }
            catch (RpcException e)
            {
                throw new Xunit.Sdk.XunitException($"{e.Status}\n{log}");
            }

            Assert.Equal(2, reply.RecordsExported);
            Assert.Equal(1, reply.RecordsSkipped);
            var skipped = Assert.Single(reply.Issues, i => i.Severity == "skipped");
            Assert.Equal("broken", skipped.RecordId);
            Assert.Equal($"s3://{store.Bucket}/{prefix}broken/broken_merr_data.json", skipped.Location);
            Assert.Equal(["csv", "sharegpt-json"], reply.Files.Select(f => f.Format).Order());
            var shareGpt = reply.Files.Single(f => f.Format == "sharegpt-json").File;
            Assert.Equal($"exports/alice/{reply.ExportId}/mer_sharegpt_export.json", shareGpt.Key);
            Assert.Equal(store.Bucket, shareGpt.Bucket);

            await using var stream = await store.OpenReadAsync(shareGpt.Key);
            var entries = (await JsonDocument.ParseAsync(stream)).RootElement;
            Assert.Equal(2, entries.GetArrayLength());
            var first = entries[0];
            var user = first.GetProperty("messages")[0].GetProperty("content").GetString()!;
            Assert.StartsWith("<video><audio>\n", user);
            Assert.Equal(Summary, first.GetProperty("messages")[1].GetProperty("content").GetString());
            Assert.Equal(["/data/video/clip01.mp4"], first.GetProperty("videos").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal(["/out/clip01/clip01.wav"], first.GetProperty("audios").EnumerateArray().Select(e => e.GetString()));
            // An older record without audio_path: the extracted wav beside it in the store is its audio.
            Assert.Equal([$"s3://{store.Bucket}/{prefix}clip02/clip02.wav"], entries[1].GetProperty("audios").EnumerateArray().Select(e => e.GetString()));
            Assert.NotNull(await store.StatAsync($"exports/alice/{reply.ExportId}/mer_export_data.csv"));

            // The same request again: same seed, same instructions, a new export id.
            var again = await client.ExportAsync(new ExportRequest { DatasetPrefix = prefix, FileType = "mer", Seed = 3 }, deadline: deadline);
            Assert.NotEqual(reply.ExportId, again.ExportId);
            await using var againStream = await store.OpenReadAsync(again.Files.Single().File.Key);
            Assert.Equal(entries.ToString(), (await JsonDocument.ParseAsync(againStream)).RootElement.ToString());

            var badType = await Assert.ThrowsAsync<RpcException>(() => client.ExportAsync(new ExportRequest { DatasetPrefix = prefix, FileType = "faces" }, deadline: deadline).ResponseAsync);
            Assert.Equal(StatusCode.InvalidArgument, badType.StatusCode);
            Assert.Contains("faces", badType.Status.Detail);
            var missing = await Assert.ThrowsAsync<RpcException>(() => client.ExportAsync(new ExportRequest { DatasetPrefix = "datasets/alice/none/", FileType = "mer" }, deadline: deadline).ResponseAsync);
            Assert.Equal(StatusCode.NotFound, missing.StatusCode);
            var description = await client.DescribeAsync(new MerFactory.Protos.Common.Empty(), deadline: deadline);
            Assert.Equal("export", description.Name);
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

    /// <summary>A MER record in spec §7.2's shape; with or without <c>audio_path</c> (older outputs keep only the wav).</summary>
    private static async Task UploadMerRecordAsync(IObjectStore store, string prefix, string id, bool withAudioPath)
    {
        var audioPath = withAudioPath ? $"\"audio_path\": \"/out/{id}/{id}.wav\"," : "";
        await PutTextAsync(store, $"{prefix}{id}/{id}_merr_data.json", $$"""
            {
                "source_path": "/data/video/{{id}}.mp4",
                {{audioPath}}
                "chronological_emotion_peaks": ["Peak at 3.48s: angry (slight), contempt (slight)"],
                "overall_peak_frame_info": { "frame_number": 88, "timestamp": 3.48, "top_aus_intensities": { "AU07_r": 2.78, "AU10_r": 2.62 } },
                "coarse_descriptions_at_peak": {
                    "visual_expression": "Lid tightener (intensity: 2.78), Upper lip raiser (intensity: 2.62)",
                    "visual_objective": "A man in a white coat.",
                    "audio_analysis": "Why me?\nSpeaker's tone: exasperated.",
                    "video_content": "Two men are in a room."
                },
                "final_summary": "The lid tightener points to irritation.\nIn conclusion, frustration.",
                "ground_truth_label": "angry"
            }
            """);
        if (!withAudioPath) await store.PutAsync($"{prefix}{id}/{id}.wav", new MemoryStream("RIFF"u8.ToArray()), "audio/wav");
    }

    private static Task<ObjectInfo> PutTextAsync(IObjectStore store, string key, string text) =>
        store.PutAsync(key, new MemoryStream(Encoding.UTF8.GetBytes(text)), "application/json");
}
