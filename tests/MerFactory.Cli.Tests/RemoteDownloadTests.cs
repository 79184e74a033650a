using Google.Protobuf;
using Grpc.Core;
using MerFactory.Protos.Common;
using MerFactory.JobClient;
using MerFactory.Protos.Jobs;

namespace MerFactory.Cli.Tests;

/// <summary>A remote run's download that receives nothing is asked for again instead of holding the run open.</summary>
public sealed class RemoteDownloadTests : IDisposable
{
    private static readonly TimeSpan Stall = TimeSpan.FromMilliseconds(200);
    private readonly string _folder = Directory.CreateTempSubdirectory("mf-download-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task AStalledDownloadIsAskedForAgainAndCompletes()
    {
        var jobs = new ScriptedJobs(stalls: 1, "hello ", "world");
        var path = Path.Combine(_folder, "clip", "clip_steps.json");

        await RemoteDownloads.DownloadAsync(jobs, new ObjectRef { Key = "jobs/1/output/clip/clip_steps.json", Sha256 = Sha("hello world") }, path, CancellationToken.None, Stall);

        Assert.Equal(2, jobs.Calls);
        Assert.Equal("hello world", await File.ReadAllTextAsync(path));
        Assert.False(File.Exists(path + ".partial"));
    }

    [Fact]
    public async Task ADownloadThatKeepsStallingFailsNamingTheObject()
    {
        var jobs = new ScriptedJobs(stalls: int.MaxValue);
        var path = Path.Combine(_folder, "clip.wav");

        var error = await Assert.ThrowsAsync<IOException>(() =>
            RemoteDownloads.DownloadAsync(jobs, new ObjectRef { Key = "jobs/1/output/clip/clip.wav", Sha256 = Sha("") }, path, CancellationToken.None, Stall));

        Assert.Equal(RemoteDownloads.DownloadAttempts, jobs.Calls);
        Assert.Contains("jobs/1/output/clip/clip.wav", error.Message);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task CancellingTheRunStopsTheDownloadWithoutRetrying()
    {
        var jobs = new ScriptedJobs(stalls: int.MaxValue);
        using var cancel = new CancellationTokenSource();
        var download = RemoteDownloads.DownloadAsync(jobs, new ObjectRef { Key = "k", Sha256 = Sha("") }, Path.Combine(_folder, "k"), cancel.Token, TimeSpan.FromMinutes(5));
        await jobs.FirstCallMade.Task;

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<Exception>(() => download);
        Assert.Equal(1, jobs.Calls);
    }

    [Fact]
    public async Task ADownloadWhoseBytesDoNotHaveTheNamedSha256IsNotKept()
    {
        var jobs = new ScriptedJobs(stalls: 0, "tampered");
        var path = Path.Combine(_folder, "clip", "clip_merr_data.json");

        var error = await Assert.ThrowsAsync<InvalidDataException>(() =>
            RemoteDownloads.DownloadAsync(jobs, new ObjectRef { Key = "jobs/a/1/output/clip/clip_merr_data.json", Sha256 = Sha("original") }, path, CancellationToken.None, Stall));

        Assert.Contains(Sha("original"), error.Message);
        Assert.False(File.Exists(path));
        Assert.False(File.Exists(path + ".partial"));
    }

    [Fact]
    public async Task ADownloadWithoutAHashToVerifyIsRefused()
    {
        var jobs = new ScriptedJobs(stalls: 0, "anything");
        await Assert.ThrowsAsync<InvalidDataException>(() =>
            RemoteDownloads.DownloadAsync(jobs, new ObjectRef { Key = "k" }, Path.Combine(_folder, "k"), CancellationToken.None, Stall));
        Assert.Equal(0, jobs.Calls);
    }

    [Theory]
    [InlineData("/etc/cron.d/evil")]
    [InlineData("../outside.json")]
    [InlineData("clip/../../outside.json")]
    [InlineData("clip/./x.json")]
    [InlineData("clip\\..\\..\\x.json")]
    [InlineData("")]
    public void AnOutputPathThatIsAbsoluteOrClimbsOutOfOutputIsRefused(string relativePath)
    {
        Assert.Throws<InvalidDataException>(() => RemoteDownloads.PathInside(_folder, relativePath));
    }

    [Fact]
    public void AnOutputPathInsideOutputResolvesUnderIt() =>
        Assert.Equal(Path.Combine(_folder, "clip", "clip.wav"), RemoteDownloads.PathInside(_folder, "clip/clip.wav"));

    private static string Sha(string text) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));

    /// <summary>The generated client with its Download answered by a script: the first calls never answer, then chunks.</summary>
    private sealed class ScriptedJobs(int stalls, params string[] chunks) : MerFactory.Protos.Jobs.Jobs.JobsClient
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public TaskCompletionSource FirstCallMade { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override AsyncServerStreamingCall<DownloadChunk> Download(ObjectRef request, CallOptions options)
        {
            var call = Interlocked.Increment(ref _calls);
            FirstCallMade.TrySetResult();
            IAsyncStreamReader<DownloadChunk> reader = call <= stalls ? new SilentReader(options.CancellationToken) : new ChunkReader(chunks);
            return new AsyncServerStreamingCall<DownloadChunk>(reader, Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => [], () => { });
        }
    }

    /// <summary>Like a call whose response never comes: waits until cancelled, then fails as gRPC does.</summary>
    private sealed class SilentReader(CancellationToken callToken) : IAsyncStreamReader<DownloadChunk>
    {
        public DownloadChunk Current => throw new InvalidOperationException("no message was read");

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            using var both = CancellationTokenSource.CreateLinkedTokenSource(callToken, cancellationToken);
            var never = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await using (both.Token.Register(() => never.TrySetResult()))
            {
                await never.Task;
            }
            throw new RpcException(new Status(StatusCode.Cancelled, "Call canceled by the client."));
        }
    }

    private sealed class ChunkReader(string[] chunks) : IAsyncStreamReader<DownloadChunk>
    {
        private int _next = -1;

        public DownloadChunk Current => new() { Data = ByteString.CopyFromUtf8(chunks[_next]) };

        public Task<bool> MoveNext(CancellationToken cancellationToken) => Task.FromResult(++_next < chunks.Length);
    }
}
