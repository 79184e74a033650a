using System.Net;
using System.Net.Http.Headers;
using MerFactory.Dashboard.Records;
using MerFactory.Storage;
using MerFactory.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace MerFactory.Dashboard.Tests;

/// <summary>
/// The local copies of stored source clips are bounded: stale and least recently used copies are pruned on start and when
/// a new copy takes the folder over its size, and a copy being served is never removed.
/// </summary>
public sealed class SourceClipCacheTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mf-dash-cache-").FullName;
    private readonly FileSystemObjectStore _store;
    private readonly long _clipSize = new FileInfo(SharedData.DataPath("media", "pyfeat", "single_face.mp4")).Length;

    public SourceClipCacheTests() => _store = new FileSystemObjectStore(Path.Combine(_root, "store"));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Folder => Path.Combine(_root, "sources");

    private async Task PutClipAsync(string key)
    {
        await using var content = File.OpenRead(SharedData.DataPath("media", "pyfeat", "single_face.mp4"));
        await _store.PutAsync(key, content);
    }

    private SourceClipCache Cache(long maxBytes) =>
        new(new SourceCacheOptions { Directory = Folder, MaxBytes = maxBytes, MaxAge = TimeSpan.FromDays(7) }, TimeProvider.System);

    [Fact]
    public async Task ANewCopyOverTheBoundEvictsTheLeastRecentlyUsedButNeverOneBeingServed()
    {
        foreach (var key in new[] { "uploads/u/a.mp4", "uploads/u/b.mp4", "uploads/u/c.mp4" }) await PutClipAsync(key);
        var cache = Cache(maxBytes: _clipSize * 2); // room for two copies

        using (var a = await cache.OpenAsync(_store, "uploads/u/a.mp4", CancellationToken.None)) Assert.NotNull(a);
        var aCopy = Assert.Single(Directory.GetFiles(Folder));
        var b = (await cache.OpenAsync(_store, "uploads/u/b.mp4", CancellationToken.None))!; // still being served
        var bCopy = Assert.Single(Directory.GetFiles(Folder), f => f != aCopy);
        File.SetLastWriteTimeUtc(bCopy, DateTime.UtcNow.AddMinutes(-10)); // b is now the least recently used

        using (await cache.OpenAsync(_store, "uploads/u/c.mp4", CancellationToken.None))
        {
            // Over the bound: a goes, not b (being served) nor c (being fetched); b's stream still reads its whole clip.
            Assert.False(File.Exists(aCopy));
            Assert.True(File.Exists(bCopy));
            Assert.Equal(2, Directory.GetFiles(Folder).Length);
            var read = new MemoryStream();
            await b.Stream.CopyToAsync(read);
            Assert.Equal(_clipSize, read.Length);
        }
        b.Dispose();
        // Once b's response has ended, the next copy over the bound takes it.
        using (await cache.OpenAsync(_store, "uploads/u/a.mp4", CancellationToken.None)) { }
        Assert.False(File.Exists(bCopy));
        Assert.True(File.Exists(aCopy));
        Assert.Equal(2, Directory.GetFiles(Folder).Length);
    }

    [Fact]
    public async Task TheDashboardPrunesStaleAndExcessCopiesOnStartAndStillServesRanges()
    {
        Directory.CreateDirectory(Folder);
        var stale = Write("stale.mp4", 10, DateTime.UtcNow.AddDays(-8));
        var oldest = Write("oldest.mp4", 600, DateTime.UtcNow.AddHours(-3));
        var recent = Write("recent.mp4", 600, DateTime.UtcNow.AddHours(-1));
        var orphan = Write("x.mp4.0a.partial", 10, DateTime.UtcNow.AddHours(-2)); // a copy a crashed process left half-written
        await PutClipAsync("uploads/default/a1/single_face.mp4");

        var options = new DashboardOptions
        {
            OutputDir = Directory.CreateDirectory(Path.Combine(_root, "curation")).FullName,
            Port = 0,
            SourceCache = new SourceCacheOptions { Directory = Folder, MaxBytes = 1000, MaxAge = TimeSpan.FromDays(7) },
        };
        await using var app = DashboardHost.Build(options, configure: services =>
            services.AddSingleton<IRecordFiles>(sp => new ObjectStoreRecordFiles(_store, "datasets/default/", sp.GetRequiredService<SourceClipCache>())));
        await app.StartAsync();
        Assert.False(File.Exists(stale));
        Assert.False(File.Exists(orphan));
        Assert.False(File.Exists(oldest)); // 1210 bytes > 1000: the least recently used goes
        Assert.True(File.Exists(recent));

        // The cache the dashboard uses serves a copy with ranges, and the bound (below one clip) never takes it mid-response.
        var cache = app.Services.GetRequiredService<SourceClipCache>();
        using var served = (await cache.OpenAsync(_store, "uploads/default/a1/single_face.mp4", CancellationToken.None))!;
        Assert.False(File.Exists(recent));
        Assert.Single(Directory.GetFiles(Folder));
        served.Stream.Position = 1000;
        var bytes = new byte[1000];
        await served.Stream.ReadExactlyAsync(bytes);
        Assert.Equal((await File.ReadAllBytesAsync(SharedData.DataPath("media", "pyfeat", "single_face.mp4")))[1000..2000], bytes);
        await app.StopAsync();
    }

    private string Write(string name, int bytes, DateTime lastUse)
    {
        var path = Path.Combine(Folder, name);
        File.WriteAllBytes(path, new byte[bytes]);
        File.SetLastWriteTimeUtc(path, lastUse);
        return path;
    }
}
