using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using MerFactory.Dashboard.Testing;
using MerFactory.Storage;
using MerFactory.Testing;
using Npgsql;

namespace MerFactory.AppHost.Tests;

/// <summary>The AppHost's dashboard resource: records and media from the object store, curation stored in PostgreSQL.</summary>
/// <remarks>
/// It runs on the shared AppHost start: the dashboard references the job API (its run builder's), which needs every
/// pipeline service, so a start with the dashboard alone no longer exists.
/// </remarks>
[Collection(AppHostCollection.Name)]
public sealed class DashboardResourceTests(AppHostFixture fixture) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mf-apphost-dash-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task TheDashboardReadsRecordsFromTheStoreAndKeepsCurationInPostgres()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var app = fixture.App;
        var spec = SampleDataset.Specs(1)[0] with { Id = "apphost_" + Guid.NewGuid().ToString("N")[..8] };
        SampleDataset.Write(_folder, spec, videoPath: null, wavPath: null);
        using var store = new S3ObjectStore(new S3StoreOptions { Endpoint = (await app.GetConnectionStringAsync("objectstore", cts.Token))!, Bucket = "merfactory" });
        // The clip was uploaded as a distributed job's input; the record's media sidecar names it, as such a job writes it.
        var clip = SharedData.DataPath("media", "pyfeat", "single_face.mp4");
        var clipKey = $"uploads/default/{Guid.NewGuid():N}/single_face.mp4";
        await using (var content = File.OpenRead(clip)) await store.PutAsync(clipKey, content, cancellationToken: cts.Token);
        await File.WriteAllTextAsync(Path.Combine(_folder, spec.Id, spec.Id + "_media.json"), new JsonObject { ["SourcePath"] = "/elsewhere/single_face.mp4", ["SourceKey"] = clipKey }.ToJsonString(), cts.Token);
        foreach (var file in Directory.GetFiles(Path.Combine(_folder, spec.Id)))
        {
            await using var content = File.OpenRead(file);
            await store.PutAsync($"datasets/default/{spec.Id}/{Path.GetFileName(file)}", content, cancellationToken: cts.Token);
        }

        using var http = new HttpClient { BaseAddress = app.GetEndpoint("dashboard", "http") };
        (await http.PostAsync("/api/reindex", null, cts.Token)).EnsureSuccessStatusCode();
        var list = await http.GetFromJsonAsync<JsonObject>($"/api/records?q={spec.Id}", cts.Token);
        Assert.Equal(spec.Id, list!["items"]![0]!["id"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.NoContent, (await http.PutAsJsonAsync($"/api/records/{spec.Id}/rating", new { value = 4 }, cts.Token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.PutAsJsonAsync($"/api/records/{spec.Id}/fields/final_summary", new { value = "Edited through the AppHost." }, cts.Token)).StatusCode);
        var details = await http.GetFromJsonAsync<JsonObject>($"/api/records/{spec.Id}", cts.Token);
        Assert.Equal("human-edited", details!["tier"]!.GetValue<string>());
        // The AU table is streamed from the store; a file that is not the record's is not.
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"/api/records/{spec.Id}/files/{spec.Id}.csv", cts.Token)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/api/records/{spec.Id}/files/..%2F..%2Fuploads", cts.Token)).StatusCode);
        // The source video comes from the store, with the byte ranges a player seeks by.
        Assert.Equal($"/api/records/{spec.Id}/source", details["media"]!["video"]!.GetValue<string>());
        using var range = new HttpRequestMessage(HttpMethod.Get, $"/api/records/{spec.Id}/source") { Headers = { Range = new(500, 1499) } };
        using var source = await http.SendAsync(range, cts.Token);
        Assert.Equal(HttpStatusCode.PartialContent, source.StatusCode);
        Assert.Equal((await File.ReadAllBytesAsync(clip, cts.Token))[500..1500], await source.Content.ReadAsByteArrayAsync(cts.Token));

        // The curation is in PostgreSQL, in the dashboard's own schema of the AppHost's database.
        await using var connection = new NpgsqlConnection(await app.GetConnectionStringAsync("jobsdb", cts.Token));
        await connection.OpenAsync(cts.Token);
        await using var query = new NpgsqlCommand("""SELECT r."Rating", r."Tier", e."Value" FROM curation."Records" r JOIN curation."Edits" e ON e."RecordId" = r."Id" WHERE r."Id" = @id""", connection);
        query.Parameters.AddWithValue("id", spec.Id);
        await using var row = await query.ExecuteReaderAsync(cts.Token);
        Assert.True(await row.ReadAsync(cts.Token));
        Assert.Equal((4, "human-edited", "Edited through the AppHost."), (row.GetInt32(0), row.GetString(1), row.GetString(2)));
    }
}
