using System.Diagnostics;
using System.Text.Json;
using MerFactory.Cli.Tests;
using MerFactory.Llm.Tests.Fakes;
using MerFactory.Testing;
using Xunit.Abstractions;

namespace MerFactory.Reliability.Tests;

/// <summary>
/// Models that misbehave, on the real OpenAI and Ollama protocols: a run either gets clean records (after bounded
/// retries) or fails the file with a clear line; no error text, refusal, empty or oversized answer enters the dataset.
/// </summary>
public sealed class MisbehavingModelTests(ITestOutputHelper log) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mf-bad-model-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    public static TheoryData<string, bool> Scenarios => new()
    {
        { "429 with Retry-After, then answers", true },
        { "500 twice, then answers", true },
        { "malformed stream once", true },
        { "truncated stream once", true },
        { "error text in a 200 once, then answers", true },
        { "hangs", false },
        { "empty answers", false },
        { "10 MB answers", false },
        { "error text in a 200", false },
        { "JSON error payload in a 200", false },
        { "refuses", false },
        { "ollama: error text in a 200", false },
        { "ollama: 500 once, then answers", true },
    };

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task A_misbehaving_model_never_puts_its_text_in_the_dataset(string scenario, bool recordExpected)
    {
        var input = Path.Combine(_work, "in");
        var output = Path.Combine(_work, "out");
        Directory.CreateDirectory(input);
        File.Copy(SharedData.DataPath("media", "pyfeat", "single_face.jpg"), Path.Combine(input, "face.jpg"));
        var follow = InstructionFollowingModel.Create();
        var ollama = scenario.StartsWith("ollama", StringComparison.Ordinal);
        ProviderFake model = ollama ? new FakeOllama() : new FakeOpenAi { ApiKey = null };
        await using var _ = model;
        var calls = 0;
        Func<RecordedCall, string> answer = scenario switch
        {
            "empty answers" => _ => "",
            "10 MB answers" => _ => new string('a', 10 * 1024 * 1024),
            "error text in a 200" or "ollama: error text in a 200" => _ => "Error: model overloaded, please retry later.",
            "JSON error payload in a 200" => _ => """{"error": {"message": "The server had an error processing your request.", "type": "server_error"}}""",
            "refuses" => _ => "I'm sorry, but I can't help with describing people in images.",
            "error text in a 200 once, then answers" => call => Interlocked.Increment(ref calls) == 1 ? "Error: model overloaded" : follow(call),
            _ => follow,
        };
        if (model is FakeOpenAi openAi) openAi.Answer = answer;
        if (model is FakeOllama fakeOllama)
        {
            fakeOllama.Answer = answer;
            fakeOllama.Models.Add("llava:7b");
        }
        switch (scenario)
        {
            case "429 with Retry-After, then answers": model.Faults.Then(Fault.RateLimited); model.RetryAfterSeconds = 1; break;
            case "500 twice, then answers" or "ollama: 500 once, then answers": model.Faults.Then(Fault.ServerError, scenario.StartsWith("500") ? Fault.ServerError : null); break;
            case "hangs": model.Faults.Always(Fault.Hang); break;
            case "malformed stream once": ((FakeOpenAi)model).StreamFaults.Then(Fault.MalformedJson); break;
            case "truncated stream once": ((FakeOpenAi)model).StreamFaults.Then(Fault.TruncatedStream); break;
        }
        await model.StartAsync();
        string[] modelArgs = ollama
            ? ["--ollama-vision-model", "llava:7b"]
            : ["--chatgpt-model", "gpt-4o", "--openai-base-url", new Uri(model.BaseUrl, "v1").ToString(), "--model-capabilities", "text,image"];
        var environment = ollama ? new Dictionary<string, string> { ["OLLAMA_HOST"] = model.BaseUrl.ToString() } : null;
        var clock = Stopwatch.StartNew();

        var (exit, console) = await CliRunner.RunAsync(environment, ["process", input, output, "--type", "image", "--llm-timeout", "2", "--llm-attempts", "3", .. modelArgs]);

        log.WriteLine($"{scenario}: exit {exit} after {clock.Elapsed.TotalSeconds:0.0} s, {model.ModelRequests} model requests\n{console}");
        var record = Path.Combine(output, "face", "face_image_analysis.json");
        Assert.Equal(recordExpected, File.Exists(record));
        Assert.Equal(recordExpected ? 0 : 1, exit);
        Assert.True(File.Exists(Path.Combine(output, "run_summary.json")));
        DatasetAudit.AssertClean(output);
        if (!recordExpected)
        {
            using var summary = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "run_summary.json")));
            var error = summary.RootElement.GetProperty("Files")[0].GetProperty("Error").GetString()!;
            Assert.StartsWith("face.jpg: ", error);
            Assert.DoesNotContain('\n', error);
            // Retries are bounded: 3 attempts per step, a few steps per file.
            Assert.InRange(model.ModelRequests, 3, 9);
        }
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(3), $"took {clock.Elapsed}");
        Assert.All(Directory.EnumerateFiles(output, "*", SearchOption.AllDirectories), f => Assert.True(new FileInfo(f).Length < 4 * 1024 * 1024, $"{f}: {new FileInfo(f).Length} bytes"));
    }
}
