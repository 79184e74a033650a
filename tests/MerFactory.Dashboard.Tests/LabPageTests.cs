using System.Net.Http.Json;
using MerFactory.Dashboard.Records;
using MerFactory.Llm.Routing;
using MerFactory.Llm.Tests.Fakes;
using MerFactory.Testing;
using Microsoft.Playwright;

namespace MerFactory.Dashboard.Tests;

/// <summary>The list, compare, prompt-lab, run and export pages in Debian's chromium, with a loopback OpenAI-compatible model.</summary>
[Collection(BrowserCollection.Name)]
public sealed class LabPageTests(BrowserFixture browser) : IAsyncLifetime, IDisposable
{
    private const string TrialMarker = "PROMPT-LAB-TRIAL";
    private readonly DatasetFolder _data = new(20);
    private readonly FakeOpenAi _model = new() { ApiKey = null };
    private DashboardServer _server = null!;
    private IPage _page = null!;

    public async Task InitializeAsync()
    {
        var follow = InstructionFollowingModel.Create();
        // Trials from the prompt lab are answered with what the model was given, so the test can see the filled template.
        _model.Answer = call => call.AllText.Contains(TrialMarker, StringComparison.Ordinal)
            ? "Trial answer: " + call.AllText[(call.AllText.IndexOf(TrialMarker, StringComparison.Ordinal) + TrialMarker.Length)..].Trim()
            : follow(call);
        await _model.StartAsync();
        var flags = new LlmCliFlags { ChatGptModel = "gpt-4o", OpenAiBaseUrl = new Uri(_model.BaseUrl, "v1").ToString(), ModelCapabilities = "text,image" };
        _server = await new DashboardServer(_data.Output, flags, inputRoot: _data.Inputs).StartAsync();
        _page = await browser.Browser.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        await _page.CloseAsync();
        await _server.DisposeAsync();
        await _model.DisposeAsync();
    }

    public void Dispose() => _data.Dispose();

    private Task OpenAsync(string hash) => _page.GotoAsync(new Uri(_server.Address, "/#" + hash).ToString());

    private async Task<int> CountShownAsync(string facet, string value) =>
        int.Parse(await _page.Locator($".count[data-facet='{facet}'][data-value='{value}']").TextContentAsync() ?? "-1", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task TheListShowsExactFilterCountsOfTheSeededData()
    {
        await _server.Http.PutAsJsonAsync("/api/records/clip_00004/rating", new { value = 5 });
        await OpenAsync("/list");
        await _page.WaitForSelectorAsync("#total");
        Assert.Equal(_data.Specs.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), await _page.TextContentAsync("#total"));
        foreach (var type in _data.Specs.Select(s => s.Type).Distinct())
            Assert.Equal(_data.Specs.Count(s => s.Type == type), await CountShownAsync("type", type));
        Assert.Equal(1, await CountShownAsync("rating", "5"));
        Assert.Equal(_data.Specs.Count - 1, await CountShownAsync("rating", "0"));
        Assert.Equal(_data.Specs.Count(s => s.Flags.Length > 0), await CountShownAsync("flag", "unsupported_au"));
        await BrowserFixture.ScreenshotAsync(_page, "list");

        // Clicking a facet filters on the server; the counts become those of the filtered set.
        var emotion = _data.Specs.Where(s => s.Type == "mer").GroupBy(s => s.Emotion).OrderByDescending(g => g.Count()).First();
        await _page.ClickAsync($"#facets button[data-facet='emotion'][data-value='{emotion.Key}']");
        await _page.WaitForFunctionAsync($"() => document.getElementById('total').textContent === '{emotion.Count()}'");
        Assert.Equal(emotion.Count(), await CountShownAsync("type", "mer"));
        Assert.Equal(emotion.Count(s => s.Label is not null), (await _page.Locator(".count[data-facet='label']").AllTextContentsAsync()).Sum(int.Parse));
        Assert.Equal(emotion.Count(), await _page.Locator("tr[data-id]").CountAsync());
    }

    [Fact]
    public async Task APreferenceChangesTheBradleyTerryRanking()
    {
        // Human edits of three records' summaries: each is compared with its model's original.
        // Three clips described by one model, so the ranking is that model against human edits.
        var mer = _data.Specs.Where(s => s.Type == "mer").GroupBy(s => s.Model).First(g => g.Count() >= 3).Take(3).ToList();
        foreach (var spec in mer)
            await _server.Http.PutAsJsonAsync($"/api/records/{spec.Id}/fields/final_summary", new { value = $"A careful human rewrite for {spec.Id}." });

        await OpenAsync($"/compare/{mer[0].Id}?field=final_summary");
        await _page.WaitForSelectorAsync("button.prefer");
        await _page.Keyboard.PressAsync("ArrowLeft"); // the model's original wins once
        await _page.WaitForFunctionAsync("() => document.querySelectorAll(\"table[data-ranking='Models'] tr[data-name]\").length === 2");
        Assert.Equal(mer[0].Model, await _page.Locator("table[data-ranking='Models'] tr[data-name]").First.GetAttributeAsync("data-name"));

        for (var i = 1; i < mer.Count; i++)
        {
            await OpenAsync($"/compare/{mer[i].Id}?field=final_summary");
            await _page.WaitForSelectorAsync("button.prefer");
            await _page.ClickAsync("button.prefer[data-chosen^='rev:']"); // the human edit wins
            await _page.WaitForFunctionAsync("n => document.querySelector('.card .keys').textContent.startsWith(n + ' comparison')", i + 1);
        }
        Assert.Equal("human-edit", await _page.Locator("table[data-ranking='Models'] tr[data-name]").First.GetAttributeAsync("data-name"));
        await BrowserFixture.ScreenshotAsync(_page, "compare");

        var pairs = await _server.GetAsync<System.Text.Json.Nodes.JsonArray>("/api/preferences/export");
        Assert.Equal(3, pairs.Count);
        Assert.Equal("A careful human rewrite for " + mer[1].Id + ".", pairs[1]!["chosen"]!["value"]!.GetValue<string>());
        Assert.Equal("gpt", pairs[1]!["rejected"]!["from"]!.GetValue<string>());
    }

    [Fact]
    public async Task ThePromptLabShowsTheLoopbackModelsAnswerAndVersionsWithDiffs()
    {
        var record = _data.Specs[0].Id;
        await OpenAsync("/prompts");
        await _page.WaitForSelectorAsync("#try-record");
        await _page.FillAsync("#try-record", record);
        await _page.FillAsync("#template", TrialMarker + " {context}");
        await _page.ClickAsync("#try");
        await _page.WaitForFunctionAsync("() => document.querySelector('#try-answer p') || document.getElementById('status').className === 'error'");
        // Answered, not "skipped" (the status line carries any API error).
        Assert.True(await _page.Locator("#answer-text").CountAsync() == 1, await _page.TextContentAsync("#status") + await _page.TextContentAsync("#try-answer"));
        var answer = await _page.TextContentAsync("#answer-text");
        Assert.StartsWith("Trial answer: - Facial expression (FACS): Cheek raiser", answer);
        Assert.Contains($"A person in {record} looks at the camera.", answer); // the record's own text filled {context}
        Assert.Single(_model.Calls, c => c.AllText.Contains(TrialMarker, StringComparison.Ordinal));

        // A new version, then the diff against the built-in one.
        var json = await _page.InputValueAsync("#prompts-json");
        await _page.FillAsync("#prompts-json", json.Replace("You are a psychologist", "You are a careful psychologist", StringComparison.Ordinal));
        await _page.FillAsync("#note", "careful");
        await _page.ClickAsync("#save-version");
        await _page.WaitForSelectorAsync("#version option[value='2']", new() { State = WaitForSelectorState.Attached });
        await _page.SelectOptionAsync("#diff-from", "1");
        await _page.SelectOptionAsync("#diff-to", "2");
        await _page.ClickAsync("#show-diff");
        await _page.WaitForSelectorAsync("#diff .add");
        Assert.Contains("careful psychologist", await _page.TextContentAsync("#diff .add"));
        await BrowserFixture.ScreenshotAsync(_page, "prompts");
    }

    [Fact]
    public async Task ARunStartedFromTheFormCompletesWithProgressShown()
    {
        var runInputs = Directory.CreateDirectory(Path.Combine(_data.Inputs, "faces")).FullName;
        File.Copy(SharedData.DataPath("media", "pyfeat", "single_face.jpg"), Path.Combine(runInputs, "portrait.jpg"));
        await OpenAsync("/run");
        await _page.WaitForSelectorAsync("#run-form");
        await _page.FillAsync("input[name='input']", "faces");
        await _page.SelectOptionAsync("select[name='type']", "image");
        await _page.FillAsync("input[name='concurrency']", "1");
        await _page.FillAsync("input[name='saveAs']", "faces-image");
        await _page.ClickAsync("#start-run");
        await _page.WaitForSelectorAsync("#run-progress:not([hidden])");
        await _page.WaitForFunctionAsync("() => document.getElementById('run-progress').dataset.state && document.getElementById('run-progress').dataset.state !== 'running'",
            null, new PageWaitForFunctionOptions { Timeout = 240_000 });
        Assert.Equal("completed", await _page.GetAttributeAsync("#run-progress", "data-state"));
        Assert.Equal("100%", await _page.EvaluateAsync<string>("() => document.getElementById('bar').style.width"));
        Assert.Contains("portrait: succeeded", await _page.TextContentAsync("#run-log"));
        Assert.Contains("1/1 file(s)", await _page.TextContentAsync("#run-state"));
        await BrowserFixture.ScreenshotAsync(_page, "run");

        // The new record is indexed, and the form was saved as a run configuration.
        var details = await _server.GetAsync<RecordDetails>("/api/records/portrait");
        Assert.Equal("image", details.Type);
        Assert.Equal("/api/records/portrait/source", details.Media.Image);
        Assert.Null(details.Media.Video);
        var configs = await _server.GetAsync<System.Text.Json.Nodes.JsonArray>("/api/run-configs");
        Assert.Equal("faces-image", configs.Single()!["name"]!.GetValue<string>());

        // An image's AU table has one frame: its intensities are drawn as bars against the threshold, not as an empty timeline.
        await OpenAsync("/record/portrait");
        await _page.WaitForFunctionAsync("() => document.body.dataset.record === 'portrait'");
        Assert.True(await _page.Locator("svg.timeline.bars rect[data-au]").CountAsync() > 0);
        Assert.Equal(1, await _page.Locator("svg.timeline.bars #threshold-line").CountAsync());
        // The picture the record describes is shown (decoded by the browser, not a broken link).
        await _page.WaitForFunctionAsync("() => { const i = document.getElementById('source-image'); return i && i.complete && i.naturalWidth > 0; }");
        Assert.Equal("", await _page.TextContentAsync("#status")); // the run page's message stays there
        await BrowserFixture.ScreenshotAsync(_page, "record-image");

        await OpenAsync("/export");
        await _page.WaitForSelectorAsync("#export-form");
        await BrowserFixture.ScreenshotAsync(_page, "export");
    }
}
