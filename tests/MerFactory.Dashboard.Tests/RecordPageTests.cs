using MerFactory.Dashboard.Records;
using Microsoft.Playwright;

namespace MerFactory.Dashboard.Tests;

/// <summary>The record page in Debian's chromium: media seeking, edits, ratings, history, keyboard review.</summary>
[Collection(BrowserCollection.Name)]
public sealed class RecordPageTests(BrowserFixture browser) : IAsyncLifetime, IDisposable
{
    private readonly DatasetFolder _data = new(12);
    private DashboardServer _server = null!;
    private IPage _page = null!;

    public async Task InitializeAsync()
    {
        _server = await new DashboardServer(_data.Output).StartAsync();
        _page = await browser.Browser.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        await _page.CloseAsync();
        await _server.DisposeAsync();
    }

    public void Dispose() => _data.Dispose();

    private Task OpenAsync(string hash) => _page.GotoAsync(new Uri(_server.Address, "/#" + hash).ToString());

    private Task RenderedAsync(string id) => _page.WaitForFunctionAsync($"() => document.body.dataset.record === '{id}'");

    [Fact]
    public async Task ThePeakMarkerSeeksTheVideoToThePeakWithinOneFrame()
    {
        var spec = _data.Specs[0];
        await OpenAsync($"/record/{spec.Id}");
        await RenderedAsync(spec.Id);
        await _page.WaitForFunctionAsync("() => document.getElementById('video').readyState >= 1");
        await _page.ClickAsync("#peak-marker");
        await _page.WaitForFunctionAsync("() => { const v = document.getElementById('video'); return !v.seeking && v.currentTime > 0; }");
        var time = await _page.EvaluateAsync<double>("() => document.getElementById('video').currentTime");
        Assert.InRange(time, spec.PeakSeconds - 1 / 30.0, spec.PeakSeconds + 1 / 30.0); // single_face.mp4 runs at 30 fps
        // The AU timeline is drawn with its threshold, the detected peak and the overall peak.
        Assert.Equal(1, await _page.Locator("#threshold-line").CountAsync());
        Assert.Equal(1, await _page.Locator("#overall-peak-line").CountAsync());
        Assert.True(await _page.Locator("svg.timeline polyline[data-au='AU06']").CountAsync() == 1);
        await BrowserFixture.ScreenshotAsync(_page, "record");
    }

    [Fact]
    public async Task ATranscriptSegmentSeeksTheAudio()
    {
        var spec = _data.Specs[0];
        await OpenAsync($"/record/{spec.Id}");
        await RenderedAsync(spec.Id);
        await _page.WaitForFunctionAsync("() => document.getElementById('audio').readyState >= 1");
        await _page.ClickAsync("#segments button[data-index='1']");
        await _page.WaitForFunctionAsync("() => { const a = document.getElementById('audio'); return !a.seeking && a.currentTime > 0; }");
        var time = await _page.EvaluateAsync<double>("() => document.getElementById('audio').currentTime");
        Assert.InRange(time, 4.1 - 0.01, 4.1 + 0.01); // the second segment of the seeded transcript starts at 4.10 s
    }

    [Fact]
    public async Task AnEditAndARatingSurviveReloadAndRestartAndHistoryRevertRestoresTheText()
    {
        var id = _data.Specs[1].Id;
        const string edited = "Edited in the browser: the person is delighted.";
        await OpenAsync($"/record/{id}");
        await RenderedAsync(id);
        var field = _page.Locator(".field[data-field='final_summary']");
        var original = await field.Locator("textarea").InputValueAsync();
        await field.Locator("button.edit").ClickAsync();
        await field.Locator("textarea").FillAsync(edited);
        await field.Locator("button.save").ClickAsync();
        await _page.WaitForSelectorAsync("#history .revision");
        await _page.Keyboard.PressAsync("4");
        await _page.WaitForFunctionAsync("() => document.querySelectorAll('#stars button.on').length === 4");

        await _page.ReloadAsync();
        await RenderedAsync(id);
        Assert.Equal(edited, await field.Locator("textarea").InputValueAsync());
        Assert.Equal(4, await _page.Locator("#stars button.on").CountAsync());

        await _server.RestartAsync();
        await OpenAsync($"/record/{id}");
        await RenderedAsync(id);
        Assert.Equal(edited, await field.Locator("textarea").InputValueAsync());
        Assert.Equal(4, await _page.Locator("#stars button.on").CountAsync());
        Assert.Equal("human-edited", await _page.TextContentAsync("#tier"));

        var revision = _page.Locator("#history .revision").First;
        Assert.Contains("final_summary", await revision.TextContentAsync());
        Assert.Contains("+ " + edited, await revision.Locator(".diff").TextContentAsync());
        Assert.Contains("tester", await revision.TextContentAsync());
        await BrowserFixture.ScreenshotAsync(_page, "record-edited");
        await revision.Locator("button.revert").ClickAsync();
        await _page.WaitForFunctionAsync("() => document.querySelectorAll('#history .revision').length === 2");
        await _page.WaitForFunctionAsync($"t => document.querySelector(\".field[data-field='final_summary'] textarea\").value === t", original);
        Assert.Equal(original, await field.Locator("textarea").InputValueAsync());
    }

    [Fact]
    public async Task KeyboardReviewRatesAcceptsRejectsAndMovesThroughFiveRecords()
    {
        var mer = _data.Specs.Where(s => s.Type == "mer").OrderBy(s => s.Id, StringComparer.Ordinal).Take(5).ToList();
        await OpenAsync($"/record/{mer[0].Id}?type=mer");
        for (var i = 0; i < mer.Count; i++)
        {
            await RenderedAsync(mer[i].Id);
            var rating = i + 1;
            await _page.Keyboard.PressAsync(rating.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await _page.WaitForFunctionAsync($"() => document.querySelectorAll('#stars button.on').length === {rating}");
            var state = i % 2 == 0 ? "accepted" : "rejected";
            await _page.Keyboard.PressAsync(i % 2 == 0 ? "a" : "r");
            await _page.WaitForFunctionAsync($"() => document.getElementById('state').textContent === '{state}'");
            if (i < mer.Count - 1) await _page.Keyboard.PressAsync(i % 2 == 0 ? "j" : "ArrowDown");
        }
        // k goes back; e opens the first field for editing.
        await _page.Keyboard.PressAsync("k");
        await RenderedAsync(mer[3].Id);
        await _page.Keyboard.PressAsync("e");
        Assert.False(await _page.Locator(".field textarea").First.EvaluateAsync<bool>("t => t.readOnly"));

        for (var i = 0; i < mer.Count; i++)
        {
            var details = await _server.GetAsync<RecordDetails>($"/api/records/{mer[i].Id}");
            Assert.Equal((i + 1, i % 2 == 0 ? "accepted" : "rejected", "human-reviewed"), (details.Rating!.Value, details.State, details.Tier));
        }
    }
}
