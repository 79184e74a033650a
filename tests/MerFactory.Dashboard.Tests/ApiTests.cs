using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MerFactory.Dashboard.Records;

namespace MerFactory.Dashboard.Tests;

public sealed class ApiTests : IAsyncLifetime, IDisposable
{
    private readonly DatasetFolder _data = new(24);
    private DashboardServer _server = null!;

    public async Task InitializeAsync() => _server = await new DashboardServer(_data.Output, inputRoot: _data.Inputs).StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task ListPagesOnTheServerWithExactCountsOfTheSeededData()
    {
        var page = await _server.GetAsync<RecordPage>("/api/records?page=2&page_size=10");
        Assert.Equal(_data.Specs.Count, page.Total);
        Assert.Equal(_data.Specs.OrderBy(s => s.Id, StringComparer.Ordinal).Skip(10).Take(10).Select(s => s.Id), page.Items.Select(i => i.Id));
        Assert.Equal(_data.Specs.GroupBy(s => s.Type).ToDictionary(g => g.Key, g => g.Count()), page.Counts["type"]);
        Assert.Equal(_data.Specs.Where(s => s.Label is not null).GroupBy(s => s.Label!).ToDictionary(g => g.Key, g => g.Count()), page.Counts["label"]);
        Assert.Equal(_data.Specs.Where(s => s.Type == "mer").GroupBy(s => s.Emotion).ToDictionary(g => g.Key, g => g.Count()), page.Counts["emotion"]);

        // Filters combine, and the counts are those of the filtered set.
        var happyMer = await _server.GetAsync<RecordPage>("/api/records?type=mer&emotion=happiness");
        Assert.Equal(_data.Specs.Count(s => s.Type == "mer" && s.Emotion == "happiness"), happyMer.Total);
        Assert.Equal(_data.Specs.Count(s => s.Type == "mer" && s.Emotion == "happiness"), happyMer.Counts["type"].GetValueOrDefault("mer"));

        var evaluated = await _server.GetAsync<RecordPage>("/api/records?metric=composite_score&metric_min=0.5");
        Assert.Equal(_data.Specs.Count(s => s.CompositeScore >= 0.5), evaluated.Total);
        var flagged = await _server.GetAsync<RecordPage>("/api/records?flag=unsupported_au");
        Assert.Equal(_data.Specs.Count(s => s.Flags.Contains("unsupported_au")), flagged.Total);

        var text = await _server.GetAsync<RecordPage>("/api/records?q=CLIP_00003");
        Assert.Equal(["clip_00003"], text.Items.Select(i => i.Id));
    }

    [Fact]
    public async Task EditsAreRevisionsWithAuthorTimeAndDiffAndRevertRestoresTheText()
    {
        const string id = "clip_00000", field = "final_summary";
        var before = await _server.GetAsync<RecordDetails>($"/api/records/{id}");
        var original = before.Fields.Single(f => f.Key == field).Value;
        var put = await _server.Http.PutAsJsonAsync($"/api/records/{id}/fields/{field}", new { value = "A better summary.", author = "ana" });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        var history = await _server.GetAsync<JsonArray>($"/api/records/{id}/history");
        var edit = history.Single()!;
        Assert.Equal("ana", edit["author"]!.GetValue<string>());
        Assert.Contains("+ A better summary.", edit["diff"]!.GetValue<string>());
        Assert.Contains("- " + original, edit["diff"]!.GetValue<string>());
        var after = await _server.GetAsync<RecordDetails>($"/api/records/{id}");
        Assert.Equal(("A better summary.", "human-edited"), (after.Fields.Single(f => f.Key == field).Value, after.Tier));

        var revert = await _server.Http.PostAsync($"/api/records/{id}/revisions/{edit["id"]}/revert", null);
        Assert.Equal(HttpStatusCode.OK, revert.StatusCode);
        var reverted = await _server.GetAsync<RecordDetails>($"/api/records/{id}");
        Assert.Equal((original, false, "human-reviewed"), (reverted.Fields.Single(f => f.Key == field).Value, reverted.Fields.Single(f => f.Key == field).Edited, reverted.Tier));

        Assert.Equal(HttpStatusCode.BadRequest, (await _server.Http.PutAsJsonAsync($"/api/records/{id}/fields/source_path", new { value = "/etc/passwd" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _server.Http.PutAsJsonAsync($"/api/records/{id}/rating", new { value = 6 })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _server.Http.PutAsJsonAsync($"/api/records/{id}/state", new { value = "maybe" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _server.Http.PutAsJsonAsync("/api/records/nope/rating", new { value = 3 })).StatusCode);
    }

    [Theory]
    [InlineData("/api/records/clip_00000/files/..%2F..%2F..%2Fetc%2Fpasswd")]
    [InlineData("/api/records/clip_00000/files/%2Fetc%2Fpasswd")]
    [InlineData("/api/records/clip_00000/files//etc/passwd")]
    [InlineData("/api/records/clip_00000/files/..%2Fclip_00001%2Fclip_00001.csv")]
    [InlineData("/api/records/..%2Fin/files/single_face.mp4")]
    [InlineData("/api/records/clip_00000/files/%2E%2E%2Fclip_00001%2Fclip_00001.csv")]
    [InlineData("/api/records/clip_00000/files/.merfactory%2Fcuration.db")]
    [InlineData("/api/records/.merfactory/files/curation.db")]
    [InlineData("/api/records/clip_00000/files/no_such_file.json")]
    public async Task MediaOutsideARecordsOwnFilesIsNotFound(string url)
    {
        // Sent as written: HttpClient would otherwise resolve "..", as a browser does, before the server sees it.
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_server.Address + url.TrimStart('/'), new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true }));
        var response = await _server.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task ARecordsOwnFilesAndItsSourceClipAreServedWithRanges()
    {
        var wav = await _server.Http.GetAsync("/api/records/clip_00000/files/clip_00000.wav");
        Assert.Equal(HttpStatusCode.OK, wav.StatusCode);
        using var range = new HttpRequestMessage(HttpMethod.Get, "/api/records/clip_00000/source");
        range.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(0, 99);
        var video = await _server.Http.SendAsync(range);
        Assert.Equal(HttpStatusCode.PartialContent, video.StatusCode);
        Assert.Equal(100, (await video.Content.ReadAsByteArrayAsync()).Length);
    }

    [Fact]
    public async Task ACrossSiteFormPostIsRejectedAndASameSiteOneWithItsTokenIsAccepted()
    {
        Directory.CreateDirectory(Path.Combine(_data.Inputs, "empty"));
        var fields = new Dictionary<string, string> { ["input"] = "empty", ["type"] = "AU", ["concurrency"] = "1" };

        // No antiforgery token (what a form on another site can send): refused before the handler runs.
        var noToken = await _server.Http.PostAsync("/api/runs", new FormUrlEncodedContent(fields));
        Assert.Equal(HttpStatusCode.BadRequest, noToken.StatusCode);
        using var crossSite = new HttpRequestMessage(HttpMethod.Post, "/api/runs") { Content = new FormUrlEncodedContent(fields) };
        crossSite.Headers.Add("Sec-Fetch-Site", "cross-site");
        Assert.Equal(HttpStatusCode.Forbidden, (await _server.Http.SendAsync(crossSite)).StatusCode);

        // The page's own post: the token from /api/antiforgery and its cookie (HttpClient keeps cookies).
        var af = await _server.GetAsync<JsonObject>("/api/antiforgery");
        var withToken = new Dictionary<string, string>(fields) { [af["field"]!.GetValue<string>()] = af["token"]!.GetValue<string>() };
        var accepted = await _server.Http.PostAsync("/api/runs", new FormUrlEncodedContent(withToken));
        Assert.True(accepted.StatusCode == HttpStatusCode.Accepted, await accepted.Content.ReadAsStringAsync());

        // An input outside the input root is refused, with the reason.
        var outside = new Dictionary<string, string>(withToken) { ["input"] = "/etc" };
        var refused = await _server.Http.PostAsync("/api/runs", new FormUrlEncodedContent(outside));
        Assert.Contains("input root", await refused.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task CuratedExportAppliesEditsFiltersByRatingStateAndTierAndCarriesTheTier()
    {
        await _server.Http.PutAsJsonAsync("/api/records/clip_00000/fields/final_summary", new { value = "Curated reasoning. In conclusion, the core emotional state is joy, and the most likely cause is a gift." });
        await _server.Http.PutAsJsonAsync("/api/records/clip_00000/rating", new { value = 5 });
        await _server.Http.PutAsJsonAsync("/api/records/clip_00001/rating", new { value = 4 });
        await _server.Http.PutAsJsonAsync("/api/records/clip_00001/state", new { value = "accepted" });
        await _server.Http.PutAsJsonAsync("/api/records/clip_00002/rating", new { value = 2 });

        var response = await _server.Http.GetAsync("/api/export?format=csv&type=mer&rating_min=4");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var zip = new ZipArchive(await response.Content.ReadAsStreamAsync());
        var csv = await new StreamReader(zip.GetEntry("mer_export_data.csv")!.Open()).ReadToEndAsync();
        Assert.Contains("Curated reasoning.", csv);
        Assert.DoesNotContain("clip_00002", csv);
        var manifest = (await new StreamReader(zip.GetEntry("curation.jsonl")!.Open()).ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonNode.Parse(l)!).ToDictionary(n => n["id"]!.GetValue<string>());
        Assert.Equal(["clip_00000", "clip_00001"], manifest.Keys.Order());
        Assert.Equal("human-edited", manifest["clip_00000"]!["provenance_tier"]!.GetValue<string>());
        Assert.Equal("human-reviewed", manifest["clip_00001"]!["provenance_tier"]!.GetValue<string>());

        var accepted = await _server.Http.GetAsync("/api/export?format=sharegpt&type=mer&state=accepted&tier=human-reviewed");
        using var acceptedZip = new ZipArchive(await accepted.Content.ReadAsStreamAsync());
        var shareGpt = JsonNode.Parse(await new StreamReader(acceptedZip.Entries.Single(e => e.Name.EndsWith(".json", StringComparison.Ordinal)).Open()).ReadToEndAsync())!.AsArray();
        Assert.Single(shareGpt);
        Assert.Contains("clip_00001", shareGpt[0]!.ToJsonString());
    }
}
