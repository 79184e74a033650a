using System.Diagnostics;
using MerFactory.Llm.Answers;
using MerFactory.Llm.Routing;
using MerFactory.Llm.Tests.Fakes;

namespace MerFactory.Llm.Tests;

/// <summary>
/// Only model text that passed the checks leaves the gateway: error text or an error payload in a 200, refusals,
/// empty or oversized answers are failed attempts, retried within bounds, and never cached.
/// </summary>
public sealed class AnswerCheckTests : IAsyncLifetime
{
    private readonly FakeOpenAi _server = new() { ApiKey = null };
    private readonly InMemoryObjectStore _store = new();

    public Task InitializeAsync() => _server.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private LlmGateway Gateway(Action<LlmBackendOptions>? tune = null)
    {
        var backend = TestGateway.Backend(LlmBackendKind.OpenAICompatible, new Uri(_server.BaseUrl, "v1/"), null);
        tune?.Invoke(backend);
        return TestGateway.Create(TestGateway.Routing(TestGateway.UniqueName("local"), backend, "gpt-4o"), _store);
    }

    private static LlmStepRequest Request => new(LlmStep.Synthesis, "Conclude from the clues.");

    public static TheoryData<string> BadAnswers => new()
    {
        "Error: model overloaded, please try again later.",
        "error - upstream connect error or disconnect/reset before headers",
        """{"error": {"message": "The server is overloaded", "type": "server_error"}}""",
        """{"detail": "CUDA out of memory"}""",
        "Internal Server Error",
        "I'm sorry, but I can't help with analysing this video.",
        "As an AI language model, I cannot determine emotions.",
        "   ",
        new string('x', 40 * 1024),
    };

    [Theory]
    [MemberData(nameof(BadAnswers))]
    public async Task An_unusable_answer_is_retried_then_fails_and_is_never_returned_or_cached(string answer)
    {
        _server.Answer = _ => answer;
        using var gateway = Gateway();

        var failure = await Assert.ThrowsAsync<LlmGatewayException>(() => gateway.RunAsync(Request));

        Assert.Equal(LlmFailureKind.InvalidAnswer, failure.Kind);
        Assert.Equal(3, failure.Attempts); // 1 + MaxRetries (2)
        Assert.Equal(3, _server.ModelRequests);
        Assert.Empty(_store.Keys);
    }

    [Fact]
    public async Task A_good_answer_after_an_error_text_is_the_one_returned()
    {
        var calls = 0;
        _server.Answer = _ => Interlocked.Increment(ref calls) == 1 ? "Error: model overloaded" : "A calm man speaks. Therefore, the emotion is: neutral";
        using var gateway = Gateway();

        var result = await gateway.RunAsync(Request);

        Assert.Equal("A calm man speaks. Therefore, the emotion is: neutral", result.Text);
        Assert.Equal(2, result.Attempts);
    }

    [Fact]
    public async Task Descriptions_that_mention_errors_or_apologies_later_are_kept()
    {
        var text = "The speaker says: \"Error: I made a mistake\" and apologises; I'm sorry is what he repeats. Tone: contrite.";
        _server.Answer = _ => "The man frowns. " + text;
        using var gateway = Gateway();

        var result = await gateway.RunAsync(Request);

        Assert.EndsWith(text, result.Text);
        Assert.Null(new LlmAnswerCheck().Problem(result.Text));
    }

    [Fact]
    public async Task The_size_cap_is_configurable_and_reading_stops_at_it()
    {
        _server.Answer = _ => new string('y', 10 * 1024 * 1024);
        var backend = TestGateway.Backend(LlmBackendKind.OpenAICompatible, new Uri(_server.BaseUrl, "v1/"), null);
        backend.MaxRetries = 0;
        var routing = TestGateway.Routing("local", backend, "gpt-4o");
        routing.Answers.MaxChars = 1000;
        using var gateway = TestGateway.Create(routing);

        var failure = await Assert.ThrowsAsync<LlmGatewayException>(() => gateway.RunAsync(Request));

        Assert.Contains("cap of 1000 characters", failure.Message);
    }

    [Fact]
    public async Task A_model_that_never_answers_fails_the_step_within_its_time_limit()
    {
        _server.Faults.Always(Fault.Hang);
        using var gateway = Gateway(b =>
        {
            b.AttemptTimeout = TimeSpan.FromSeconds(1);
            b.MaxRetries = 10;
            b.StepTimeout = TimeSpan.FromSeconds(3);
        });
        var clock = Stopwatch.StartNew();

        var failure = await Assert.ThrowsAsync<LlmGatewayException>(() => gateway.RunAsync(Request));

        Assert.Equal(LlmFailureKind.Timeout, failure.Kind);
        Assert.Contains("step time limit of 3 s", failure.Message);
        Assert.InRange(failure.Attempts, 2, 4); // 10 retries allowed: the budget stopped them
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), clock.Elapsed.ToString());
    }

    [Fact]
    public void Defaults_bound_one_step_to_less_than_five_minutes()
    {
        var defaults = new LlmBackendOptions();
        Assert.Equal(TimeSpan.FromSeconds(120), defaults.AttemptTimeout);
        Assert.True(defaults.StepTimeout < TimeSpan.FromMinutes(5));
    }
}
