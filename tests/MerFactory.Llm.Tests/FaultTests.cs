using MerFactory.Llm.Routing;
using MerFactory.Llm.Tests.Fakes;

namespace MerFactory.Llm.Tests;

/// <summary>429/500/hang/malformed/truncated: retried within bounds, then a clear failure; nothing cached.</summary>
public sealed class FaultTests : IAsyncLifetime
{
    private readonly FakeOpenAi _openAi = new();
    private readonly FakeGemini _gemini = new();
    private readonly FakeOllama _ollama = new();
    private readonly InMemoryObjectStore _store = new();

    public async Task InitializeAsync()
    {
        await _openAi.StartAsync();
        await _gemini.StartAsync();
        await _ollama.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _openAi.DisposeAsync();
        await _gemini.DisposeAsync();
        await _ollama.DisposeAsync();
    }

    private (LlmGateway Gateway, string Backend) OpenAi(Action<LlmBackendOptions>? tune = null)
    {
        var name = TestGateway.UniqueName("openai");
        var backend = TestGateway.Backend(LlmBackendKind.OpenAI, new Uri(_openAi.BaseUrl, "v1/"), _openAi.ApiKey);
        tune?.Invoke(backend);
        return (TestGateway.Create(TestGateway.Routing(name, backend, "gpt-4o"), _store), name);
    }

    private (LlmGateway Gateway, string Backend) Gemini(Action<LlmBackendOptions>? tune = null)
    {
        var name = TestGateway.UniqueName("gemini");
        var backend = TestGateway.Backend(LlmBackendKind.Gemini, _gemini.BaseUrl, _gemini.ApiKey);
        tune?.Invoke(backend);
        return (TestGateway.Create(TestGateway.Routing(name, backend, "gemini-2.5-flash"), _store), name);
    }

    private static LlmStepRequest Request => new(LlmStep.Synthesis, "Conclude from the clues.");

    [Fact]
    public async Task RateLimitHonoursRetryAfterThenSucceeds()
    {
        _openAi.Faults.Then(Fault.RateLimited);
        _openAi.RetryAfterSeconds = 1;
        var (gateway, name) = OpenAi();
        using var _ = gateway;
        using var metrics = new MetricsRecorder(name);

        var result = await gateway.RunAsync(Request);

        Assert.Equal(LlmStepStatus.Completed, result.Status);
        Assert.Equal(2, result.Attempts);
        Assert.Equal(2, _openAi.ModelRequests);
        // The backoff alone would be ≤ 50 ms here; the delay used is the server's Retry-After.
        Assert.Equal(1.0, Assert.Single(metrics.Values("merfactory.llm.retry.delay")), 3);
        Assert.Single(metrics.Values("merfactory.llm.errors", "error.type", "RateLimited"));
    }

    [Fact]
    public async Task GeminiRetryInfoDelayIsHonouredWhenTheHeaderIsAbsent()
    {
        // Retry-After is also sent by the fake; parse both and check the value used matches.
        _gemini.Faults.Then(Fault.RateLimited);
        _gemini.RetryAfterSeconds = 1;
        var (gateway, name) = Gemini();
        using var _ = gateway;
        using var metrics = new MetricsRecorder(name);

        var result = await gateway.RunAsync(Request);

        Assert.Equal(2, result.Attempts);
        Assert.Equal(1.0, Assert.Single(metrics.Values("merfactory.llm.retry.delay")), 3);
    }

    [Fact]
    public async Task PersistentRateLimitFailsAfterTheRetryBudget()
    {
        _openAi.Faults.Always(Fault.RateLimited);
        _openAi.RetryAfterSeconds = 0;
        var (gateway, _) = OpenAi(b => b.MaxRetries = 3);
        using var __ = gateway;

        var error = await Assert.ThrowsAsync<LlmGatewayException>(() => gateway.RunAsync(Request));

        Assert.Equal(LlmFailureKind.RateLimited, error.Kind);
        Assert.Equal(4, error.Attempts);
        Assert.Equal(4, _openAi.ModelRequests);
        Assert.Contains("HTTP 429", error.Message);
        Assert.Contains("rate_limit_exceeded", error.InnerException!.Message + error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, _store.Count);
    }

    [Fact]
    public async Task ServerErrorsAreRetriedThenFailClearly()
    {
        _gemini.Faults.Always(Fault.ServerError);
        var (gateway, _) = Gemini();
        using var __ = gateway;

        var error = await Assert.ThrowsAsync<LlmGatewayException>(() => gateway.RunAsync(Request));

        Assert.Equal(LlmFailureKind.ServerError, error.Kind);
        Assert.Equal(3, error.Attempts);
        Assert.Equal(3, _gemini.ModelRequests);
        Assert.Contains("INTERNAL: An internal error has occurred", error.Message);
        Assert.Equal(0, _store.Count);
    }

    [Fact]
    public async Task AServerErrorThenSuccessIsCachedOnlyOnce()
    {
        _openAi.Faults.Then(Fault.ServerError, Fault.ServerError);
        var (gateway, _) = OpenAi();
        using var __ = gateway;

        var result = await gateway.RunAsync(Request);

        Assert.Equal(3, result.Attempts);
        Assert.Equal(1, _store.Count);
    }

    [Fact]
    public async Task AHungConnectionTimesOutPerAttemptAndFails()
    {
        _openAi.Faults.Always(Fault.Hang);
        var (gateway, _) = OpenAi(b => { b.AttemptTimeout = TimeSpan.FromMilliseconds(300); b.MaxRetries = 1; });
        using var __ = gateway;

        var error = await Assert.ThrowsAsync<LlmGatewayException>(() => gateway.RunAsync(Request));

        Assert.Equal(LlmFailureKind.Timeout, error.Kind);
        Assert.Equal(2, error.Attempts);
        Assert.Equal(2, _openAi.ModelRequests);
        Assert.Contains("attempt timeout of 0.3 s", error.Message);
        Assert.Equal(0, _store.Count);
    }

    [Fact]
    public async Task AHangThenAnAnswerSucceedsOnTheRetry()
    {
        _gemini.Faults.Then(Fault.Hang);
        var (gateway, _) = Gemini(b => b.AttemptTimeout = TimeSpan.FromMilliseconds(300));
        using var __ = gateway;

        var result = await gateway.RunAsync(Request);

        Assert.Equal(2, result.Attempts);
        Assert.Equal(LlmStepStatus.Completed, result.Status);
    }

    [Fact]
    public async Task MalformedJsonIsRetriedThenFails()
    {
        _gemini.Faults.Always(Fault.MalformedJson);
        var (gateway, _) = Gemini();
        using var __ = gateway;

        var error = await Assert.ThrowsAsync<LlmGatewayException>(() => gateway.RunAsync(Request));

        Assert.Equal(LlmFailureKind.MalformedResponse, error.Kind);
        Assert.Equal(3, _gemini.ModelRequests);
        Assert.Contains("malformed response", error.Message);
        Assert.Equal(0, _store.Count);
    }

    [Fact]
    public async Task AMalformedStreamChunkIsRetried()
    {
        _openAi.StreamFaults.Then(Fault.MalformedJson);
        var (gateway, _) = OpenAi();
        using var __ = gateway;

        var result = await gateway.RunAsync(Request);

        Assert.Equal(2, result.Attempts);
        Assert.Equal("gpt-4o read 1 text part(s) and 0 media part(s): .", result.Text);
    }

    [Fact]
    public async Task ATruncatedSseStreamIsRetriedThenFailsAndIsNeverCached()
    {
        _openAi.StreamFaults.Always(Fault.TruncatedStream);
        var (gateway, _) = OpenAi();
        using var __ = gateway;

        var error = await Assert.ThrowsAsync<LlmGatewayException>(() => gateway.RunAsync(Request));

        Assert.Equal(LlmFailureKind.TruncatedStream, error.Kind);
        Assert.Equal(3, _openAi.ModelRequests);
        Assert.Equal(0, _store.Count);
    }

    [Fact]
    public async Task AnErrorEventInsideTheStreamIsAServerErrorCarryingTheProvidersMessage()
    {
        _openAi.StreamFaults.Always(Fault.ErrorEvent);
        var (gateway, _) = OpenAi();
        using var __ = gateway;

        var error = await Assert.ThrowsAsync<LlmGatewayException>(() => gateway.RunAsync(Request));

        Assert.Equal(LlmFailureKind.ServerError, error.Kind);
        Assert.Equal(3, error.Attempts);
        Assert.Contains("error inside stream: server_error: " + _openAi.StreamErrorMessage, error.Message);
        Assert.Equal(0, _store.Count);
    }

    [Fact]
    public async Task AfterAnErrorEventTheRetriedAnswerHoldsNoneOfTheErrorText()
    {
        _openAi.StreamFaults.Then(Fault.ErrorEvent);
        var (gateway, _) = OpenAi();
        using var __ = gateway;

        var result = await gateway.RunAsync(Request);

        Assert.Equal(2, result.Attempts);
        Assert.Equal("gpt-4o read 1 text part(s) and 0 media part(s): .", result.Text);
    }

    [Fact]
    public async Task AnErrorEventWithAClientStatusIsNotRetried()
    {
        _openAi.StreamFaults.Always(Fault.ErrorEvent);
        _openAi.StreamErrorMessage = "This model's maximum context length is 4096 tokens.";
        _openAi.StreamErrorCode = 400;
        var (gateway, _) = OpenAi();
        using var __ = gateway;

        var error = await Assert.ThrowsAsync<LlmGatewayException>(() => gateway.RunAsync(Request));

        Assert.Equal(LlmFailureKind.ClientError, error.Kind);
        Assert.Equal(1, error.Attempts);
        Assert.Contains("maximum context length is 4096 tokens", error.Message);
    }

    [Fact]
    public async Task ATruncatedOllamaStreamIsDetectedAndRetried()
    {
        _ollama.StreamFaults.Then(Fault.TruncatedStream, Fault.MalformedJson);
        var name = TestGateway.UniqueName("ollama");
        var backend = TestGateway.Backend(LlmBackendKind.Ollama, _ollama.BaseUrl, null);
        using var gateway = TestGateway.Create(TestGateway.Routing(name, backend, "llama3.2"), _store);

        var result = await gateway.RunAsync(Request);

        Assert.Equal(3, result.Attempts);
        Assert.Equal("llama3.2 saw 0 image(s) with prompt of 24 chars.", result.Text);
        Assert.Equal(1, _store.Count); // only the complete answer
    }

    [Fact]
    public async Task ABadRequestIsNotRetried()
    {
        _openAi.Faults.Then(Fault.BadRequest);
        var (gateway, _) = OpenAi();
        using var __ = gateway;

        var error = await Assert.ThrowsAsync<LlmGatewayException>(() => gateway.RunAsync(Request));

        Assert.Equal(LlmFailureKind.ClientError, error.Kind);
        Assert.Equal(1, _openAi.ModelRequests);
    }

    [Fact]
    public async Task TheCircuitOpensAfterRepeatedFailuresAndFailsFastWithoutCallingTheBackend()
    {
        _gemini.Faults.Always(Fault.ServerError);
        var (gateway, _) = Gemini(b => { b.MaxRetries = 0; b.CircuitMinimumThroughput = 3; b.CircuitFailureRatio = 0.5; b.CircuitBreakDuration = TimeSpan.FromMinutes(1); });
        using var __ = gateway;

        for (var i = 0; i < 3; i++) await Assert.ThrowsAsync<LlmGatewayException>(() => gateway.RunAsync(Request));
        var requestsBefore = _gemini.ModelRequests;
        var error = await Assert.ThrowsAsync<LlmGatewayException>(() => gateway.RunAsync(Request));

        Assert.Equal(LlmFailureKind.CircuitOpen, error.Kind);
        Assert.Equal(requestsBefore, _gemini.ModelRequests);
        Assert.Contains("circuit open", error.Message);
    }

    [Fact]
    public async Task KeysNeverAppearInLogsOrErrors()
    {
        const string secret = "sk-test-openai-key";
        _openAi.Faults.Then(Fault.RateLimited).Always(Fault.ServerError);
        _openAi.RetryAfterSeconds = 0;
        var logger = new CapturingLogger<LlmGateway>();
        var name = TestGateway.UniqueName("openai");
        var backend = TestGateway.Backend(LlmBackendKind.OpenAI, new Uri(_openAi.BaseUrl, "v1/"), secret);
        using var gateway = TestGateway.Create(TestGateway.Routing(name, backend, "gpt-4o"), _store, logger);

        var error = await Assert.ThrowsAsync<LlmGatewayException>(() => gateway.RunAsync(Request));

        Assert.NotEmpty(logger.Lines);
        Assert.Contains(logger.Lines, l => l.Contains("attempt 2", StringComparison.Ordinal));
        Assert.DoesNotContain(logger.Lines, l => l.Contains(secret, StringComparison.Ordinal));
        Assert.DoesNotContain(secret, error.ToString());
    }

    [Fact]
    public async Task AKeyEchoedByTheProviderIsMaskedInTheError()
    {
        const string wrong = "sk-wrong-key-echoed-back";
        _openAi.EchoKeyInErrors = true;
        var logger = new CapturingLogger<LlmGateway>();
        var backend = TestGateway.Backend(LlmBackendKind.OpenAI, new Uri(_openAi.BaseUrl, "v1/"), wrong);
        using var gateway = TestGateway.Create(TestGateway.Routing(TestGateway.UniqueName("openai"), backend, "gpt-4o"), _store, logger);

        var error = await Assert.ThrowsAsync<LlmGatewayException>(() => gateway.RunAsync(Request));

        Assert.Contains("Incorrect API key provided: ***", error.Message);
        Assert.DoesNotContain(wrong, error.ToString());
        Assert.DoesNotContain(logger.Lines, l => l.Contains(wrong, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ARetryAfterBeyondTheCapFailsAtOnceInsteadOfParkingTheStep()
    {
        _openAi.Faults.Always(Fault.RateLimited);
        _openAi.RetryAfterSeconds = 3600;
        var (gateway, _) = OpenAi();
        using var __ = gateway;

        var error = await Assert.ThrowsAsync<LlmGatewayException>(() => gateway.RunAsync(Request));

        Assert.Equal(LlmFailureKind.RateLimited, error.Kind);
        Assert.Equal(1, _openAi.ModelRequests);
        Assert.Contains("asks to wait 3600 s", error.Message);
        Assert.Equal(0, _store.Count);
    }
}
