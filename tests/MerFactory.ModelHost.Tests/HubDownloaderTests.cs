using System.Security.Cryptography;
using MerFactory.ModelHost.Models;
using MerFactory.ModelHost.Tests.Support;

namespace MerFactory.ModelHost.Tests;

public sealed class HubDownloaderTests : IAsyncLifetime, IDisposable
{
    private const string Repo = "ggml-org/tiny-GGUF";
    private readonly FakeHub _hub = new();
    private readonly string _folder = Directory.CreateTempSubdirectory("merfactory-pull-").FullName;
    private readonly byte[] _model = RandomNumberGenerator.GetBytes(300_000);

    public async Task InitializeAsync()
    {
        _hub.Add(Repo, "tiny-Q8_0.gguf", _model);
        await _hub.StartAsync();
    }

    public async Task DisposeAsync() => await _hub.DisposeAsync();
    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Target => Path.Combine(_folder, "tiny-Q8_0.gguf");

    private sealed class Recorder : IProgress<(long Done, long Total)>
    {
        public List<(long Done, long Total)> Reports { get; } = [];
        public void Report((long Done, long Total) value) => Reports.Add(value);
    }

    [Fact]
    public async Task Follows_the_redirect_checks_size_and_sha256_and_reports_progress_to_the_total()
    {
        using var downloader = new HubDownloader(_hub.BaseUrl, token: "hf_secret");
        var progress = new Recorder();
        await downloader.DownloadAsync(new HubFile(Repo, "tiny-Q8_0.gguf"), Target, progress, CancellationToken.None);

        Assert.Equal(_model, await File.ReadAllBytesAsync(Target));
        Assert.Equal((_model.Length, _model.Length), progress.Reports[^1]);
        Assert.False(File.Exists(Target + ".incomplete"));
        // The token goes to the Hub, never to the storage host the Hub redirects to.
        Assert.All(_hub.StorageAuthorizations, a => Assert.Equal("", a));
    }

    [Fact]
    public async Task A_partial_download_resumes_with_a_range_request()
    {
        await File.WriteAllBytesAsync(Target + ".incomplete", _model[..120_000]);
        using var downloader = new HubDownloader(_hub.BaseUrl);
        await downloader.DownloadAsync(new HubFile(Repo, "tiny-Q8_0.gguf"), Target, null, CancellationToken.None);

        Assert.Equal(["bytes=120000-"], _hub.RangesSeen);
        Assert.Equal(_model.Length - 120_000, _hub.BytesServed);
        Assert.Equal(_model, await File.ReadAllBytesAsync(Target));
    }

    [Fact]
    public async Task A_corrupted_transfer_is_rejected_and_nothing_is_installed()
    {
        _hub.Corrupt = true;
        using var downloader = new HubDownloader(_hub.BaseUrl);
        var error = await Assert.ThrowsAsync<HubDownloadException>(() => downloader.DownloadAsync(new HubFile(Repo, "tiny-Q8_0.gguf"), Target, null, CancellationToken.None));
        Assert.Contains("SHA-256", error.Message);
        Assert.False(File.Exists(Target));
        Assert.False(File.Exists(Target + ".incomplete"));
    }

    [Fact]
    public async Task A_verified_file_is_not_downloaded_again()
    {
        await File.WriteAllBytesAsync(Target, _model);
        using var downloader = new HubDownloader(_hub.BaseUrl);
        await downloader.DownloadAsync(new HubFile(Repo, "tiny-Q8_0.gguf"), Target, null, CancellationToken.None);
        Assert.Equal(0, _hub.BytesServed);
    }

    [Fact]
    public async Task Missing_files_and_gated_repositories_say_what_to_do()
    {
        using var downloader = new HubDownloader(_hub.BaseUrl);
        var missing = await Assert.ThrowsAsync<HubDownloadException>(() => downloader.DownloadAsync(new HubFile(Repo, "nope.gguf"), Target, null, CancellationToken.None));
        Assert.Contains("no such repository or file", missing.Message);

        _hub.GatedToken = "hf_right";
        var gated = await Assert.ThrowsAsync<HubDownloadException>(() => downloader.DownloadAsync(new HubFile(Repo, "tiny-Q8_0.gguf"), Target, null, CancellationToken.None));
        Assert.Contains("HF_TOKEN", gated.Message);
    }
}
