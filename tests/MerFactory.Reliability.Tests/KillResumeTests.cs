using System.Collections.Concurrent;
using MerFactory.Cli.Tests;
using MerFactory.Llm.Tests.Fakes;
using MerFactory.Testing;
using Xunit.Abstractions;

namespace MerFactory.Reliability.Tests;

/// <summary>
/// kill -9 of the CLI mid-run, then the same command again: no LLM step that finished before the kill is asked again,
/// with or without --cache. The model holds every request after the first few, so "finished" and "in flight" are exact.
/// </summary>
public sealed class KillResumeTests(ITestOutputHelper log) : IAsyncLifetime, IDisposable
{
    private const int AnsweredBeforeKill = 2;
    private readonly string _work = Directory.CreateTempSubdirectory("mf-kill-").FullName;
    private readonly FakeOpenAi _model = new() { ApiKey = null };
    private readonly Func<RecordedCall, string> _answers = InstructionFollowingModel.Create();
    private readonly ConcurrentDictionary<string, int> _answered = new();
    private readonly ConcurrentQueue<string> _asked = new();
    private int _answerCount;

    private string Input => Path.Combine(_work, "in");
    private string Output => Path.Combine(_work, "out");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Input);
        File.Copy(SharedData.DataPath("media", "pyfeat", "single_face.jpg"), Path.Combine(Input, "a_face.jpg"));
        await CliRunner.FfmpegAsync("-ss", "1.5", "-i", SharedData.DataPath("media", "pyfeat", "single_face.mp4"), "-frames:v", "1", Path.Combine(Input, "b_frame.jpg"));
        _model.Answer = call =>
        {
            var identity = Identity(call);
            _asked.Enqueue(identity);
            _answered.AddOrUpdate(identity, 1, (_, n) => n + 1);
            Interlocked.Increment(ref _answerCount);
            return _answers(call);
        };
        await _model.StartAsync();
    }

    public async Task DisposeAsync() => await _model.DisposeAsync();

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private static string Identity(RecordedCall call) => string.Join("\u001f", call.Texts.Concat(call.Media.Select(m => m.Sha256)));

    private string[] Args(bool cache) =>
    [
        "process", Input, Output, "--type", "image", "-c", "4", "--chatgpt-model", "gpt-4o",
        "--openai-base-url", new Uri(_model.BaseUrl, "v1").ToString(), "--model-capabilities", "text,image", .. cache ? new[] { "--cache" } : [],
    ];

    private int CommittedLlmSteps()
    {
        var steps = Path.Combine(Output, ".merfactory", "merfactory", "artifacts", "llm");
        return Directory.Exists(steps) ? Directory.GetDirectories(steps).Count(d => File.Exists(Path.Combine(d, "manifest.json"))) : 0;
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(false, true)]
    public async Task A_rerun_after_kill_9_asks_no_finished_step_again(bool firstWithCache, bool rerunWithCache)
    {
        // The model answers the first few requests; every later one hangs (in flight) until the CLI is killed.
        _model.Faults.Then([.. Enumerable.Repeat<Fault?>(null, AnsweredBeforeKill)]).Always(Fault.Hang);
        int inFlight;
        using (var first = CliRunner.Start(null, Args(firstWithCache)))
        {
            var stdout = first.StandardOutput.ReadToEndAsync();
            // Wait for the answered steps to be committed and later requests to hang, then kill -9.
            var deadline = DateTime.UtcNow.AddMinutes(10); // AU work comes first; a busy CI machine is slow
            // Identical requests (two files with the same prompt) share one step: count distinct answered requests.
            while (!(_model.ModelRequests > AnsweredBeforeKill && CommittedLlmSteps() >= _answered.Count))
            {
                Assert.False(first.HasExited, "the first run ended before the kill: " + await stdout);
                Assert.True(DateTime.UtcNow < deadline, $"the first run never reached the kill point: {CommittedLlmSteps()} LLM steps committed, {_model.ModelRequests} requests");
                await Task.Delay(50);
            }
            inFlight = _model.ModelRequests - Volatile.Read(ref _answerCount);
            first.Kill(entireProcessTree: true);
            await first.WaitForExitAsync();
        }
        var interruptedJob = await File.ReadAllTextAsync(Path.Combine(Output, ".merfactory", "unfinished-run.txt"));
        var finished = _answered.Keys.ToHashSet();
        var askedBefore = _asked.Count;
        _model.Faults.Clear();

        var (exit, console) = await CliRunner.RunAsync(Args(rerunWithCache));

        Assert.True(exit == 0, console);
        using (var summary = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Output, "run_summary.json"))))
            Assert.Equal(interruptedJob.Trim(), summary.RootElement.GetProperty("JobId").GetString());
        var rerunAsked = _asked.Skip(askedBefore).ToList();
        var repeated = rerunAsked.Count(finished.Contains);
        log.WriteLine($"first --cache {firstWithCache}, rerun --cache {rerunWithCache}: {finished.Count} steps answered before kill -9, {inFlight} in flight; rerun asked {rerunAsked.Count}, repeated {repeated}");
        foreach (var again in rerunAsked.Where(finished.Contains)) log.WriteLine("asked again: " + again[..Math.Min(300, again.Length)]);
        log.WriteLine(console);
        Assert.True(repeated <= inFlight, $"{repeated} finished LLM steps were asked again ({inFlight} were in flight)");
        Assert.Equal(0, repeated);
        Assert.Equal(2, Directory.GetFiles(Output, "*_image_analysis.json", SearchOption.AllDirectories).Length);
        DatasetAudit.AssertClean(Output);
    }

    [Fact]
    public async Task After_a_finished_run_only_cache_reuses_answers_as_in_MER_Factory()
    {
        var (exit, console) = await CliRunner.RunAsync(Args(cache: false));
        Assert.True(exit == 0, console);
        var firstCalls = _asked.Count;

        var (again, againConsole) = await CliRunner.RunAsync(Args(cache: false));
        Assert.True(again == 0, againConsole);
        Assert.Equal(2 * firstCalls, _asked.Count); // a new run without --cache asks the model again

        var (cached, cachedConsole) = await CliRunner.RunAsync(Args(cache: true));
        Assert.True(cached == 0, cachedConsole);
        Assert.Equal(2 * firstCalls, _asked.Count); // --cache: finished files are skipped, nothing is asked
    }
}
