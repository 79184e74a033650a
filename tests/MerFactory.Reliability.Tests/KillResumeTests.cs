using System.Collections.Concurrent;
using System.Text.Json;
using MerFactory.Cli.Tests;
using MerFactory.Llm.Tests.Fakes;
using MerFactory.Testing;
using Xunit.Abstractions;

namespace MerFactory.Reliability.Tests;

/// <summary>
/// kill -9 of the CLI mid-run, then the same command again on the same OUTPUT: an LLM step that finished before the kill
/// is not asked again, with or without --cache. The model answers the first few requests and holds every later one
/// until the process dies, so "answered before the kill" and "in flight at the kill" are exact counts.
/// </summary>
public sealed class KillResumeTests(ITestOutputHelper log) : IAsyncLifetime, IDisposable
{
    private const int AnsweredBeforeKill = 4;
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(6); // AU work comes first; a busy CI machine is slow
    private readonly string _work = Directory.CreateTempSubdirectory("mf-kill-").FullName;
    private readonly FakeOpenAi _model = new() { ApiKey = null };
    private readonly Func<RecordedCall, string> _answers = InstructionFollowingModel.Create();
    private readonly ConcurrentQueue<string> _answered = new();

    private string Input => Path.Combine(_work, "in");
    private string Output => Path.Combine(_work, "out");

    public async Task InitializeAsync()
    {
        // Four distinct photos of faces (up to three LLM steps each: image, facial expression, synthesis).
        Directory.CreateDirectory(Input);
        foreach (var (name, source) in new[]
        {
            ("a_face", SharedData.DataPath("media", "pyfeat", "single_face.jpg")),
            ("b_face", SharedData.DataPath("media", "openface_samples", "sample1.jpg")),
            ("c_face", SharedData.DataPath("media", "openface_samples", "sample2.jpg")),
            ("d_face", SharedData.DataPath("media", "dlib_faces", "Tom_Cruise_avp_2014_4.jpg")),
        })
            File.Copy(source, Path.Combine(Input, name + ".jpg"));
        _model.Answer = call =>
        {
            _answered.Enqueue(Identity(call));
            return _answers(call);
        };
        await _model.StartAsync();
    }

    public async Task DisposeAsync() => await _model.DisposeAsync();

    public void Dispose() => Directory.Delete(_work, recursive: true);

    /// <summary>What the model is asked: every text part and every attachment's content hash.</summary>
    private static string Identity(RecordedCall call) => string.Join("\u001f", call.Texts.Concat(call.Media.Select(m => m.Sha256)));

    private string[] Args(bool cache) =>
    [
        "process", Input, Output, "--type", "image", "-c", "4", "--chatgpt-model", "gpt-4o",
        "--openai-base-url", new Uri(_model.BaseUrl, "v1").ToString(), "--model-capabilities", "text,image", .. cache ? new[] { "--cache" } : [],
    ];

    /// <summary>LLM step results committed in OUTPUT's store (a manifest is written last, after the step's outputs).</summary>
    private int CommittedLlmSteps()
    {
        var steps = Path.Combine(Output, ".merfactory", "merfactory", "artifacts", "llm");
        return Directory.Exists(steps) ? Directory.GetDirectories(steps).Count(d => File.Exists(Path.Combine(d, "manifest.json"))) : 0;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_rerun_after_kill_9_asks_no_finished_step_again(bool rerunWithCache)
    {
        // The model answers the first few requests; every later one is held (in flight) until the CLI dies.
        _model.Faults.Then([.. Enumerable.Repeat<Fault?>(null, AnsweredBeforeKill)]).Always(Fault.Hang);
        int inFlight, requestsBeforeKill;
        string[] finished;
        using (var first = CliRunner.Start(null, Args(cache: false)))
        {
            var stdout = first.StandardOutput.ReadToEndAsync();
            var stderr = first.StandardError.ReadToEndAsync();
            // The kill point: every answered request is committed as a step and later requests are held by the model.
            var deadline = DateTime.UtcNow + Patience;
            while (!(_model.ModelRequests > AnsweredBeforeKill && _answered.Count == AnsweredBeforeKill && CommittedLlmSteps() == AnsweredBeforeKill))
            {
                // (The output is awaited only once the process is gone: awaiting it earlier would wait for the end of the run.)
                if (first.HasExited) Assert.Fail($"the first run ended before the kill: {await stdout}{await stderr}");
                Assert.True(DateTime.UtcNow < deadline,
                    $"the first run never reached the kill point: {CommittedLlmSteps()} LLM steps committed, {_answered.Count} answered, {_model.ModelRequests} requests");
                await Task.Delay(20); // polling a condition with a deadline, not a timed wait
            }
            first.Kill(entireProcessTree: true); // SIGKILL
            await first.WaitForExitAsync();
            await Task.WhenAll(stdout, stderr);
            finished = [.. _answered];
            requestsBeforeKill = _model.ModelRequests;
            inFlight = requestsBeforeKill - finished.Length; // held requests are never answered
        }
        var interruptedJob = (await File.ReadAllTextAsync(Path.Combine(Output, ".merfactory", "unfinished-run.txt"))).Trim();
        _model.Faults.Clear();

        var (exit, console) = await CliRunner.RunAsync(Args(rerunWithCache));

        var rerunAsked = _answered.Skip(finished.Length).ToList();
        var repeated = rerunAsked.Count(finished.Contains);
        log.WriteLine($"rerun --cache {rerunWithCache}: {requestsBeforeKill} LLM requests before kill -9 ({finished.Length} answered, {inFlight} in flight); " +
            $"rerun asked {rerunAsked.Count}, repeated {repeated}");
        Assert.True(inFlight > 0, "the kill came while no request was in flight");
        Assert.True(repeated <= inFlight, $"{repeated} finished LLM steps were asked again ({inFlight} were in flight)");
        Assert.Equal(0, repeated); // every finished step was committed before the kill, so none may be asked again
        Assert.True(exit == 0, console);
        using (var summary = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Output, "run_summary.json"))))
            Assert.Equal(interruptedJob, summary.RootElement.GetProperty("JobId").GetString()); // the rerun resumed the killed run
        Assert.False(File.Exists(Path.Combine(Output, ".merfactory", "unfinished-run.txt"))); // and finished it
        Assert.Equal(rerunAsked.Count, rerunAsked.Distinct().Count()); // the rest of the work, asked once each
        Assert.Equal(4, Directory.GetFiles(Output, "*_image_analysis.json", SearchOption.AllDirectories).Length);
        Assert.Equal(4, DatasetAudit.AssertClean(Output));
    }

    [Fact]
    public async Task After_a_finished_run_only_cache_reuses_answers_as_in_MER_Factory()
    {
        var (exit, console) = await CliRunner.RunAsync(Args(cache: false));
        Assert.True(exit == 0, console);
        var firstCalls = _answered.Count;

        var (again, againConsole) = await CliRunner.RunAsync(Args(cache: false));
        Assert.True(again == 0, againConsole);
        Assert.Equal(2 * firstCalls, _answered.Count); // a new run without --cache asks the model again

        var (cached, cachedConsole) = await CliRunner.RunAsync(Args(cache: true));
        Assert.True(cached == 0, cachedConsole);
        Assert.Equal(2 * firstCalls, _answered.Count); // --cache: finished files are skipped, nothing is asked
    }
}
