using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MerFactory.Dashboard.Records;
using MerFactory.Dashboard.Testing;
using MerFactory.Storage;
using MerFactory.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace MerFactory.Dashboard.Tests;

/// <summary>
/// A dataset in an object store (a distributed job's output under <c>jobs/default/…</c>): a record's source video is the
/// upload its media sidecar names, served with byte ranges; never a local path, another owner's object or a non-upload.
/// </summary>
public sealed class StoreSourceTests : IAsyncLifetime, IDisposable
{
    private const string Prefix = "jobs/default/5f0c/output/";
    private readonly string _root = Directory.CreateTempSubdirectory("mf-dash-store-").FullName;
    private readonly string _clip = SharedData.DataPath("media", "pyfeat", "single_face.mp4");
    private FileSystemObjectStore _store = null!;
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _store = new FileSystemObjectStore(Path.Combine(_root, "store"));
        await PutCopyAsync("uploads/default/a1/single_face.mp4", _clip);
        await PutCopyAsync("uploads/other/b2/single_face.mp4", _clip);
        await PutCopyAsync("uploads/default/a1/notes.txt", _clip);
        await PutCopyAsync("jobs/default/5f0c/single_face.mp4", _clip);
        // Each record's analysis names a clip that exists on this machine: in a store, that path is never served.
        var records = new Dictionary<string, string?>
        {
            ["own_upload"] = "uploads/default/a1/single_face.mp4",
            ["other_owner"] = "uploads/other/b2/single_face.mp4",
            ["not_a_video"] = "uploads/default/a1/notes.txt",
            ["climbs_out"] = "uploads/default/../other/b2/single_face.mp4",
            ["not_an_upload"] = "jobs/default/5f0c/single_face.mp4",
            ["local_only"] = null,
        };
        var folder = Path.Combine(_root, "records");
        foreach (var (id, key) in records)
        {
            SampleDataset.Write(folder, SampleDataset.Specs(1)[0] with { Id = id }, _clip, null);
            if (key is not null)
                await File.WriteAllTextAsync(Path.Combine(folder, id, id + "_media.json"), new JsonObject { ["SourcePath"] = _clip, ["Kind"] = "video", ["SourceKey"] = key }.ToJsonString());
            foreach (var file in Directory.GetFiles(Path.Combine(folder, id)))
                await PutCopyAsync($"{Prefix}{id}/{Path.GetFileName(file)}", file);
        }
        var options = new DashboardOptions { OutputDir = Directory.CreateDirectory(Path.Combine(_root, "curation")).FullName, Port = 0 };
        var sources = new SourceClipCache(new SourceCacheOptions { Directory = Path.Combine(_root, "sources") }, TimeProvider.System);
        _app = DashboardHost.Build(options, configure: services => services.AddSingleton<IRecordFiles>(new ObjectStoreRecordFiles(_store, Prefix, sources)));
        await _app.StartAsync();
        _http = new HttpClient { BaseAddress = DashboardHost.Address(_app) };
    }

    /// <summary>Copies a file into the store (ImportFileAsync would move it: the shared clip must stay where it is).</summary>
    private async Task PutCopyAsync(string key, string path)
    {
        await using var content = File.OpenRead(path);
        await _store.PutAsync(key, content);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task TheUploadARecordNamesIsItsSourceVideoServedWithRanges()
    {
        var details = await DetailsAsync("own_upload");
        Assert.Equal("/api/records/own_upload/source", details.Media.Video);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/records/own_upload/source");
        request.Headers.Range = new RangeHeaderValue(1000, 1999);
        using var response = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal("video/mp4", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((await File.ReadAllBytesAsync(_clip))[1000..2000], await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("other_owner")]
    [InlineData("not_a_video")]
    [InlineData("climbs_out")]
    [InlineData("not_an_upload")]
    [InlineData("local_only")]
    public async Task NothingButTheOwnersUploadedVideoIsServed(string id)
    {
        Assert.Null((await DetailsAsync(id)).Media.Video);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync($"/api/records/{id}/source")).StatusCode);
    }

    private async Task<RecordDetails> DetailsAsync(string id) => (await _http.GetFromJsonAsync<RecordDetails>($"/api/records/{id}", Json.Options))!;
}
