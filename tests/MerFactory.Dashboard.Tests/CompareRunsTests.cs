using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MerFactory.Cli;
using MerFactory.Dashboard.Preferences;
using MerFactory.Dashboard.Testing;
using Microsoft.Playwright;

namespace MerFactory.Dashboard.Tests;

/// <summary>
/// Two runs over the same clips (`merfactory dashboard out --compare v2=OTHER`): the second by another model with
/// another prompts version, missing one clip. Their descriptions are compared pairwise through the API and the page.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class CompareRunsTests(BrowserFixture browser) : IAsyncLifetime, IDisposable
{
    private const string OtherModel = "qwen2.5-vl", OtherPrompts = "p3", Missing = "clip_00002";
    private readonly DatasetFolder _data = new(12);
    private string _other = null!;
    private DashboardServer _server = null!;

    public async Task InitializeAsync()
    {
        _other = Directory.CreateDirectory(Path.Combine(_data.Root, "second run")).FullName;
        foreach (var spec in _data.Specs.Where(s => s.Id != Missing))
        {
            // Another model names another emotion, so its text differs from the first run's.
            var other = spec with { Model = OtherModel, Emotion = SampleDataset.Emotions[(Array.IndexOf(SampleDataset.Emotions, spec.Emotion) + 1) % SampleDataset.Emotions.Length] };
            SampleDataset.Write(_other, other, videoPath: null, wavPath: null, promptsVersion: OtherPrompts);
        }
        _server = await new DashboardServer(_data.Output, compare: new Dictionary<string, string> { ["v2"] = _other }).StartAsync();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _data.Dispose();

    private string Summary(string folder, string id) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(folder, id, id + "_merr_data.json")))!["final_summary"]!.GetValue<string>();

    private async Task<List<Candidate>> CandidatesAsync(string id) => await _server.GetAsync<List<Candidate>>($"/api/records/{id}/candidates?field=final_summary");

    [Fact]
    public async Task AnotherRunsDescriptionsOfTheSameClipAreCandidatesRankedByTheirModelAndPrompts()
    {
        var runs = await _server.GetAsync<ComparisonsInfo>("/api/comparisons");
        Assert.Equal(("out", "v2", _other), (runs.Name, runs.Runs.Single().Name, runs.Runs.Single().Location));

        var spec = _data.Specs[0];
        var candidates = await CandidatesAsync(spec.Id);
        Assert.Equal(["original", "run:v2"], candidates.Select(c => c.Key));
        Assert.Equal(new Candidate("original", "out", spec.Model, spec.Model == "llama3.2" ? "p2" : "p1", Summary(_data.Output, spec.Id)), candidates[0]);
        Assert.Equal(new Candidate("run:v2", "v2", OtherModel, OtherPrompts, Summary(_other, spec.Id)), candidates[1]);
        Assert.NotEqual(candidates[0].Text, candidates[1].Text);

        // A clip the other run lacks has only its own description; an edit joins the runs' texts.
        Assert.Equal(["original"], (await CandidatesAsync(Missing)).Select(c => c.Key));
        await _server.Http.PutAsJsonAsync($"/api/records/{spec.Id}/fields/final_summary", new { value = "A human summary." });
        Assert.Equal(["original", "run:v2", "rev:"], (await CandidatesAsync(spec.Id)).Select(c => c.Key.StartsWith("rev:", StringComparison.Ordinal) ? "rev:" : c.Key));

        // The other run wins twice and loses once: it leads both rankings, and the pairs carry its text.
        foreach (var (id, chosen, rejected) in new[] { (spec.Id, "run:v2", "original"), ("clip_00001", "run:v2", "original"), ("clip_00003", "original", "run:v2") })
            Assert.Equal(HttpStatusCode.OK, (await _server.Http.PostAsJsonAsync("/api/preferences", new { record_id = id, field = "final_summary", chosen, rejected })).StatusCode);
        var ranking = await _server.GetAsync<Rankings>("/api/preferences/ranking");
        var other = ranking.Models.Single(m => m.Name == OtherModel);
        Assert.Equal((2, 1), (other.Wins, other.Losses));
        var prompts = ranking.PromptVersions.Single(p => p.Name == OtherPrompts);
        Assert.Equal((2, 1), (prompts.Wins, prompts.Losses));
        var pairs = await _server.GetAsync<JsonArray>("/api/preferences/export");
        Assert.Equal(Summary(_other, spec.Id), pairs[0]!["chosen"]!["value"]!.GetValue<string>());

        // Keys name a run by its name only: a path, or a run that is not attached, is not a description.
        foreach (var key in new[] { "run:../second run", "run:" + _other, "run:v3" })
            Assert.Equal(HttpStatusCode.BadRequest, (await _server.Http.PostAsJsonAsync("/api/preferences", new { record_id = spec.Id, field = "final_summary", chosen = key, rejected = "original" })).StatusCode);
    }

    [Fact]
    public async Task ComparingTwoRunsOnThePageWalksTheRecordsWithTheArrowKeys()
    {
        var page = await browser.Browser.NewPageAsync();
        await page.GotoAsync(new Uri(_server.Address, "/#/compare/clip_00000?field=final_summary").ToString());
        await page.WaitForSelectorAsync(".candidate[data-source='v2']");
        Assert.Equal(["out", "v2"], await page.Locator(".candidate").EvaluateAllAsync<string[]>("cards => cards.map(c => c.dataset.source)"));
        Assert.Equal(Summary(_other, "clip_00000"), await page.TextContentAsync(".candidate[data-source='v2'] .text"));
        Assert.Contains("v2", await page.TextContentAsync("#runs"));

        Task ShownAsync(string id, bool pair) => page.WaitForFunctionAsync(
            "([id, pair]) => document.querySelector('#pick input[name=id]').value === id && !!document.querySelector('.pair') === pair", new object[] { id, pair });
        await page.Keyboard.PressAsync("ArrowRight"); // v2 preferred; on to the next record, v2 still on the right
        await ShownAsync("clip_00001", pair: true);
        Assert.Equal("run:v2", await page.Locator("select.side[data-side='right']").InputValueAsync());
        await page.Keyboard.PressAsync("ArrowRight");
        await ShownAsync(Missing, pair: false); // the other run lacks this clip: nothing to compare
        await page.Keyboard.PressAsync("j");
        await ShownAsync("clip_00003", pair: true);
        await BrowserFixture.ScreenshotAsync(page, "compare-runs");
        await page.Keyboard.PressAsync("ArrowLeft"); // this dataset's text preferred
        await ShownAsync("clip_00004", pair: true);
        await page.WaitForFunctionAsync("() => document.querySelector('.card .keys').textContent.startsWith('3 comparison')");
        Assert.Equal(1, await page.Locator($"table[data-ranking='Models'] tr[data-name='{OtherModel}']").CountAsync());

        var ranking = await _server.GetAsync<Rankings>("/api/preferences/ranking");
        var other = ranking.Models.Single(m => m.Name == OtherModel);
        Assert.Equal((3, 2, 1), (ranking.Comparisons, other.Wins, other.Losses));
        var preferences = await _server.GetAsync<JsonArray>("/api/preferences/export");
        Assert.Equal(Summary(_data.Output, "clip_00003"), preferences[2]!["chosen"]!["value"]!.GetValue<string>());
        await page.CloseAsync();
    }

    [Fact]
    public void RunNamesAreOneTokenAndTheCommandLineNamesAFolderAfterItself()
    {
        Assert.Equal(("v2", "/data/run two"), DashboardCommand.ComparedRun("v2=/data/run two"));
        Assert.Equal(("second-run", _other), DashboardCommand.ComparedRun(_other));
        Assert.Throws<ArgumentException>(() => new ComparisonRuns("out", [new ComparisonRun("../x", new Records.FolderRecordFiles(_other))]));
        Assert.Throws<ArgumentException>(() => new ComparisonRuns("out", [new ComparisonRun("out", new Records.FolderRecordFiles(_other))]));
        var parse = DashboardCommand.Create().Parse([_data.Output, "--compare", Path.Combine(_data.Root, "nowhere")]);
        Assert.Contains(parse.Errors, e => e.Message.Contains("nowhere", StringComparison.Ordinal));
        Assert.Empty(DashboardCommand.Create().Parse([_data.Output, "--compare", $"v2={_other}", "--compare", _data.Output]).Errors);
    }
}
