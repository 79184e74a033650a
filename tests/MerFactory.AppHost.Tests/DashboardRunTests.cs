using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Aspire.Hosting.Testing;
using MerFactory.Dashboard.Tests;
using MerFactory.Storage;
using MerFactory.Testing;
using Microsoft.Playwright;

namespace MerFactory.AppHost.Tests;

/// <summary>
/// The AppHost's dashboard resource starts runs on the job API: the run builder's form, in Debian's chromium, runs a job
/// through the <c>jobs</c> resource (as the clients' credential), shows its progress, and the job's outputs join the
/// dataset the dashboard reads its records from, by reference.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class DashboardRunTests(AppHostFixture fixture) : IAsyncLifetime
{
    private readonly BrowserFixture _browser = new();

    public Task InitializeAsync() => _browser.InitializeAsync();

    public Task DisposeAsync() => _browser.DisposeAsync();

    [Fact]
    public async Task ARunStartedFromTheFormRunsOnTheJobApiAndItsRecordAppearsInTheDashboard()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(6));
        var id = "face_" + Guid.NewGuid().ToString("N")[..8];
        var folder = Directory.CreateDirectory(Path.Combine(fixture.DashboardInputs, id)).FullName;
        File.Copy(SharedData.DataPath("media", "pyfeat", "single_face.jpg"), Path.Combine(folder, id + ".jpg"));
        var dashboard = fixture.App.GetEndpoint("dashboard", "http");

        var page = await _browser.Browser.NewPageAsync();
        await page.GotoAsync(new Uri(dashboard, "/#/run").ToString());
        await page.WaitForSelectorAsync("#run-form");
        Assert.Contains("distributed", await page.TextContentAsync("h2 .badge"));
        await page.FillAsync("input[name='input']", id);
        await page.SelectOptionAsync("select[name='type']", "image");
        await page.FillAsync("input[name='concurrency']", "1");
        await page.ClickAsync("#start-run");
        await page.WaitForSelectorAsync("#run-progress:not([hidden])");
        await page.WaitForFunctionAsync("() => document.getElementById('run-progress').dataset.state && document.getElementById('run-progress').dataset.state !== 'running'",
            null, new PageWaitForFunctionOptions { Timeout = 300_000 });
        var log = await page.TextContentAsync("#run-log");
        Assert.True(await page.GetAttributeAsync("#run-progress", "data-state") == "completed", log);
        Assert.Equal("100%", await page.EvaluateAsync<string>("() => document.getElementById('bar').style.width"));
        Assert.Contains($"{id}: succeeded", log);
        Assert.Contains(" done", log); // the job's step events, shown as they came
        Assert.Contains("1/1 file(s)", await page.TextContentAsync("#run-state"));
        await BrowserFixture.ScreenshotAsync(page, "apphost-run");

        // The record is in the dashboard's dataset (the default credential's) by reference: a manifest of the job's
        // outputs, no copy of them under the dataset's folder. It is indexed.
        using var store = new S3ObjectStore(new S3StoreOptions { Endpoint = (await fixture.App.GetConnectionStringAsync("objectstore", cts.Token))!, Bucket = "merfactory" });
        await foreach (var copied in store.ListAsync($"datasets/default/{id}/", cts.Token)) Assert.Fail($"{copied.Key} was copied into the dataset");
        var dataset = new StoredDataset(store, "datasets/default/");
        Assert.Contains(await dataset.ListFilesAsync(id, cts.Token), f => f.Key.StartsWith("artifacts/", StringComparison.Ordinal));
        await using (var stored = (await dataset.TryOpenAsync(id, $"{id}_image_analysis.json", cts.Token))!)
        {
            var record = (await JsonNode.ParseAsync(stored, cancellationToken: cts.Token))!;
            Assert.Equal(Path.Combine(folder, id + ".jpg"), record["source_path"]!.GetValue<string>());
        }
        using var http = new HttpClient { BaseAddress = dashboard };
        var list = (await http.GetFromJsonAsync<JsonObject>($"/api/records?q={id}", cts.Token))!;
        Assert.Equal(1, list["total"]!.GetValue<int>());
        var details = (await http.GetFromJsonAsync<JsonObject>($"/api/records/{id}", cts.Token))!;
        Assert.Equal("image", details["type"]!.GetValue<string>());

        // The record page shows it in the browser.
        await page.GotoAsync(new Uri(dashboard, $"/#/record/{id}").ToString());
        await page.WaitForFunctionAsync($"() => document.body.dataset.record === '{id}'");
        await BrowserFixture.ScreenshotAsync(page, "apphost-record");
    }
}
