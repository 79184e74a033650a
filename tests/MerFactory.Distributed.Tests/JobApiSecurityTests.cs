using Grpc.Core;
using Grpc.Net.Client;
using MerFactory.Protos.Export;
using MerFactory.Protos.Jobs;
using MerFactory.Protos.LlmGateway;
using MerFactory.Protos.Media;
using MerFactory.Testing;
using static MerFactory.Distributed.Tests.SecuredDeploymentFixture;
using ProtoRef = MerFactory.Protos.Common.ObjectRef;

namespace MerFactory.Distributed.Tests;

/// <summary>
/// One test per finding of the security review (issue 14): each is now answered Unauthenticated, PermissionDenied,
/// InvalidArgument or ResourceExhausted by the real services, over gRPC, as a client on the network would see it.
/// </summary>
public sealed class JobApiSecurityTests(SecuredDeploymentFixture fixture) : IClassFixture<SecuredDeploymentFixture>
{
    private static readonly string ZeroSha = new('0', 64);

    private static GrpcChannel Channel(int port, string token) => DistributedFixture.Channel(port, token, new GrpcChannelOptions { MaxReceiveMessageSize = 64 << 20 });

    private static async Task<StatusCode> StatusOf(Func<Task> call)
    {
        var error = await Assert.ThrowsAsync<RpcException>(call);
        return error.StatusCode;
    }

    [Fact]
    public async Task EveryServiceRefusesACallWithoutAValidToken()
    {
        using var anonymous = GrpcChannel.ForAddress($"http://127.0.0.1:{fixture.JobsPort}");
        Assert.Equal(StatusCode.Unauthenticated, await StatusOf(() => JobsOf(anonymous).GetStatusAsync(new WatchJobRequest { JobId = Guid.NewGuid().ToString() }).ResponseAsync));
        using var wrong = Channel(fixture.JobsPort, "not-a-token");
        Assert.Equal(StatusCode.Unauthenticated, await StatusOf(() => JobsOf(wrong).GetStatusAsync(new WatchJobRequest { JobId = Guid.NewGuid().ToString() }).ResponseAsync));
        using var export = GrpcChannel.ForAddress($"http://127.0.0.1:{fixture.ExportPort}");
        Assert.Equal(StatusCode.Unauthenticated, await StatusOf(() => new DatasetExport.DatasetExportClient(export).DescribeAsync(new()).ResponseAsync));
        using var media = GrpcChannel.ForAddress($"http://127.0.0.1:{fixture.Services.GrpcPort("media-extract")}");
        Assert.Equal(StatusCode.Unauthenticated, await StatusOf(() => new MediaExtract.MediaExtractClient(media).ProbeAsync(new ProbeRequest()).ResponseAsync));
    }

    [Fact]
    public async Task TheLlmGatewayAnswersOnlyMerFactorysServicesNotClients()
    {
        var port = fixture.Services.GrpcPort("llm-gateway");
        using var client = Channel(port, DistributedFixture.AliceToken);
        Assert.Equal(StatusCode.Unauthenticated, await StatusOf(() => new LlmGateway.LlmGatewayClient(client).RunAsync(new LlmRunRequest()).ResponseAsync));
        using var service = Channel(port, DistributedFixture.ServiceToken);
        var routes = await new LlmGateway.LlmGatewayClient(service).RoutesAsync(new(), new CallOptions(deadline: DateTime.UtcNow.AddMinutes(1)).WithWaitForReady());
        Assert.NotNull(routes);
    }

    [Fact]
    public async Task OneClientCannotDownloadAnothersUploadsOrArbitraryObjects()
    {
        using var alice = Channel(fixture.JobsPort, DistributedFixture.AliceToken);
        using var bob = Channel(fixture.JobsPort, DistributedFixture.BobToken);
        var upload = await UploadAsync(JobsOf(alice), "private.wav", "alice's words"u8.ToArray());
        Assert.StartsWith("uploads/alice/", upload.Key);

        foreach (var key in new[] { upload.Key, "artifacts/extract-audio/x/manifest.json", "jobs/alice/x/output/run_summary.json" })
        {
            using var call = JobsOf(bob).Download(new ProtoRef { Key = key });
            Assert.Equal(StatusCode.PermissionDenied, await StatusOf(() => call.ResponseStream.MoveNext()));
        }
        using var own = JobsOf(alice).Download(upload);
        Assert.True(await own.ResponseStream.MoveNext());
    }

    [Theory]
    [InlineData("uploads/bob/../alice/x")]
    [InlineData("/etc/passwd")]
    [InlineData("")]
    public async Task ADownloadOfAMalformedKeyIsInvalidArgument(string key)
    {
        using var bob = Channel(fixture.JobsPort, DistributedFixture.BobToken);
        using var call = JobsOf(bob).Download(new ProtoRef { Key = key });
        Assert.Equal(StatusCode.InvalidArgument, await StatusOf(() => call.ResponseStream.MoveNext()));
    }

    [Fact]
    public async Task AClaimedSha256IsIgnoredSoNoClientReadsOrPoisonsAnothersResultsAndJobsBelongToTheirOwner()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        using var alice = Channel(fixture.JobsPort, DistributedFixture.AliceToken);
        using var bob = Channel(fixture.JobsPort, DistributedFixture.BobToken);
        const string image = """{"type":"Image"}""";
        // Both claim the all-zero hash for different pictures: step keys built from the claim would give bob alice's results.
        var aliceUpload = await UploadAsync(JobsOf(alice), "face.jpg", await File.ReadAllBytesAsync(SharedData.DataPath("media", "pyfeat", "single_face.jpg")), cts.Token);
        var bobUpload = await UploadAsync(JobsOf(bob), "face.jpg", await File.ReadAllBytesAsync(SharedData.DataPath("media", "pyfeat", "multi_face.jpg")), cts.Token);
        Assert.NotEqual(aliceUpload.Sha256, bobUpload.Sha256);
        var (aliceJob, aliceEvents) = await RunAsync(JobsOf(alice), "face.jpg", new ProtoRef { Key = aliceUpload.Key, Sha256 = ZeroSha }, image, cts.Token);
        var (bobJob, bobEvents) = await RunAsync(JobsOf(bob), "face.jpg", new ProtoRef { Key = bobUpload.Key, Sha256 = ZeroSha }, image, cts.Token);

        foreach (var (job, events) in new[] { (aliceJob, aliceEvents), (bobJob, bobEvents) })
            Assert.True(events[^1] is { State: "job-completed", FilesFailed: 0 }, $"{job}: {string.Join("\n", events.Select(e => $"{e.File} {e.Step} {e.State} {e.Message}"))}\n{fixture.JobsLog}");
        Assert.Contains(bobEvents, e => e.State == "completed");
        Assert.DoesNotContain(bobEvents, e => e.State == "cached"); // nothing of alice's was served for bob's different picture

        // Alice's job is alice's: bob can neither watch it, nor read its status or outputs, nor submit her upload as his input.
        var request = new WatchJobRequest { JobId = aliceJob };
        Assert.Equal(StatusCode.PermissionDenied, await StatusOf(() => JobsOf(bob).GetStatusAsync(request).ResponseAsync));
        Assert.Equal(StatusCode.PermissionDenied, await StatusOf(() => JobsOf(bob).ListOutputsAsync(request).ResponseAsync));
        using (var watch = JobsOf(bob).Watch(request))
            Assert.Equal(StatusCode.PermissionDenied, await StatusOf(() => watch.ResponseStream.MoveNext()));
        var stolen = new SubmitJobRequest { OptionsJson = image };
        stolen.Inputs.Add(new JobInput { RelativePath = "face.jpg", Object = aliceUpload });
        Assert.Equal(StatusCode.PermissionDenied, await StatusOf(() => JobsOf(bob).SubmitAsync(stolen).ResponseAsync));
        var outputs = await JobsOf(alice).ListOutputsAsync(request);
        Assert.NotEmpty(outputs.Outputs);
        // Her outputs are files only her job wrote, under her job's folder, and step artifacts named by reference.
        Assert.All(outputs.Outputs, o => Assert.True(o.Object.Key.StartsWith($"jobs/alice/{aliceJob}/output/", StringComparison.Ordinal)
            || o.Object.Key.StartsWith("artifacts/", StringComparison.Ordinal), o.Object.Key));
        Assert.Contains(outputs.Outputs, o => o.Object.Key.StartsWith("artifacts/", StringComparison.Ordinal));
        foreach (var output in outputs.Outputs)
        {
            using var theirs = JobsOf(bob).Download(output.Object);
            Assert.Equal(StatusCode.PermissionDenied, await StatusOf(() => theirs.ResponseStream.MoveNext()));
        }
    }

    [Fact]
    public async Task AnArtifactIsDownloadableOnlyByTheOwnerOfAJobThatNamesItAsAnOutput()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        using var alice = Channel(fixture.JobsPort, DistributedFixture.AliceToken);
        using var bob = Channel(fixture.JobsPort, DistributedFixture.BobToken);
        var upload = await UploadAsync(JobsOf(alice), "portrait.jpg", await File.ReadAllBytesAsync(SharedData.DataPath("media", "pyfeat", "single_face.jpg")), cts.Token);
        var (job, events) = await RunAsync(JobsOf(alice), "portrait.jpg", upload, """{"type":"Image"}""", cts.Token);
        Assert.True(events[^1] is { State: "job-completed", FilesFailed: 0 }, string.Join("\n", events.Select(e => $"{e.File} {e.Step} {e.State} {e.Message}")));
        var artifact = (await JobsOf(alice).ListOutputsAsync(new WatchJobRequest { JobId = job }, cancellationToken: cts.Token)).Outputs
            .First(o => o.Object.Key.StartsWith("artifacts/", StringComparison.Ordinal)).Object;

        // Alice's job names the artifact: she reads its bytes, which have the sha256 she was told.
        using (var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256))
        {
            using var mine = JobsOf(alice).Download(artifact, cancellationToken: cts.Token);
            await foreach (var chunk in mine.ResponseStream.ReadAllAsync(cts.Token)) hash.AppendData(chunk.Data.Span);
            Assert.Equal(artifact.Sha256, Convert.ToHexStringLower(hash.GetHashAndReset()));
        }
        // No job of bob's names it: the same key, with the right hash, is another's.
        using var theirs = JobsOf(bob).Download(artifact, cancellationToken: cts.Token);
        Assert.Equal(StatusCode.PermissionDenied, await StatusOf(() => theirs.ResponseStream.MoveNext()));
        // Neither is the step's manifest beside it, which no job names.
        using var manifest = JobsOf(alice).Download(new ProtoRef { Key = artifact.Key[..(artifact.Key.LastIndexOf('/') + 1)] + "manifest.json" }, cancellationToken: cts.Token);
        Assert.Equal(StatusCode.PermissionDenied, await StatusOf(() => manifest.ResponseStream.MoveNext()));
    }

    [Theory]
    [InlineData("...mp4")]
    [InlineData("../escape.mp4")]
    [InlineData("/abs/clip.mp4")]
    public async Task ASubmittedPathOutsideTheInputFolderOrWithoutAFileIdIsInvalidArgument(string relativePath)
    {
        using var alice = Channel(fixture.JobsPort, DistributedFixture.AliceToken);
        var upload = await UploadAsync(JobsOf(alice), "clip.mp4", [1, 2, 3]);
        var submit = new SubmitJobRequest { OptionsJson = """{"type":"Video"}""" };
        submit.Inputs.Add(new JobInput { RelativePath = relativePath, Object = upload });
        Assert.Equal(StatusCode.InvalidArgument, await StatusOf(() => JobsOf(alice).SubmitAsync(submit).ResponseAsync));
    }

    [Theory]
    [InlineData("jobs/", StatusCode.PermissionDenied)]
    [InlineData("jobs/bob/", StatusCode.PermissionDenied)]
    [InlineData("datasets/bob/run1/", StatusCode.PermissionDenied)]
    [InlineData("uploads/alice/", StatusCode.PermissionDenied)]
    [InlineData("../", StatusCode.InvalidArgument)]
    [InlineData("jobs/alice/../bob/", StatusCode.InvalidArgument)]
    public async Task AnExportOfRecordsThatAreNotTheCallersIsRefused(string prefix, StatusCode expected)
    {
        using var alice = Channel(fixture.ExportPort, DistributedFixture.AliceToken);
        var client = new DatasetExport.DatasetExportClient(alice);
        Assert.Equal(expected, await StatusOf(() => client.ExportAsync(new ExportRequest { DatasetPrefix = prefix, FileType = "mer" }).ResponseAsync));
    }

    [Fact]
    public async Task AnUploadOverTheSizeLimitIsRefused()
    {
        using var dave = Channel(fixture.LimitedJobsPort, DaveToken);
        Assert.Equal(StatusCode.ResourceExhausted, await StatusOf(() => UploadAsync(JobsOf(dave), "big.wav", new byte[MaxUploadBytes + 1])));
        var fits = await UploadAsync(JobsOf(dave), "small.wav", new byte[1000]);
        Assert.Equal(1000, fits.Size);
    }

    [Fact]
    public async Task UploadsBeyondTheConcurrencyLimitAreRefused()
    {
        using var dave = Channel(fixture.LimitedJobsPort, DaveToken);
        // The first upload stays open; the second, once the server holds the first, is refused.
        using var open = JobsOf(dave).Upload();
        await open.RequestStream.WriteAsync(new UploadChunk { FileName = "slow.wav", Data = Google.Protobuf.ByteString.CopyFrom(new byte[10]) });
        StatusCode? refused = null;
        for (var attempt = 0; attempt < 20 && refused is null; attempt++)
        {
            try
            {
                await UploadAsync(JobsOf(dave), "second.wav", [1]);
            }
            catch (RpcException e)
            {
                refused = e.StatusCode;
            }
        }
        Assert.Equal(StatusCode.ResourceExhausted, refused);
        await open.RequestStream.CompleteAsync();
        Assert.Equal(10, (await open).Size);
    }

    [Fact]
    public async Task CallsBeyondTheRateLimitAreRefused()
    {
        using var erin = Channel(fixture.LimitedJobsPort, ErinToken);
        var statuses = new List<StatusCode>();
        for (var i = 0; i <= RequestsPerMinute; i++)
            statuses.Add(await StatusOf(() => JobsOf(erin).GetStatusAsync(new WatchJobRequest { JobId = Guid.NewGuid().ToString() }).ResponseAsync));
        Assert.All(statuses.Take(RequestsPerMinute), s => Assert.Equal(StatusCode.NotFound, s));
        Assert.Equal(StatusCode.ResourceExhausted, statuses[^1]);
    }

    [Fact]
    public async Task JobsBeyondTheRunningLimitAreRefused()
    {
        using var frank = Channel(fixture.LimitedJobsPort, FrankToken);
        var upload = await UploadAsync(JobsOf(frank), "clip.wav", [1, 2, 3]);
        SubmitJobRequest Submit()
        {
            var request = new SubmitJobRequest { OptionsJson = """{"type":"Audio"}""" };
            request.Inputs.Add(new JobInput { RelativePath = "clip.wav", Object = upload });
            return request;
        }
        // This instance has no step services: the first job keeps running, so a second one is over the limit of 1.
        await JobsOf(frank).SubmitAsync(Submit());
        Assert.Equal(StatusCode.ResourceExhausted, await StatusOf(() => JobsOf(frank).SubmitAsync(Submit()).ResponseAsync));
    }
}
