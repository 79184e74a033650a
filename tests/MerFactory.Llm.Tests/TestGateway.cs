using System.Collections.Concurrent;
using MerFactory.Llm.Caching;
using MerFactory.Llm.Routing;
using MerFactory.Llm.Tests.Fakes;
using Microsoft.Extensions.Logging;

namespace MerFactory.Llm.Tests;

/// <summary>Builds gateways against fakes with test-sized retry delays and timeouts.</summary>
public static class TestGateway
{
    public static LlmBackendOptions Backend(LlmBackendKind kind, Uri baseUrl, string? apiKey) => new()
    {
        Kind = kind,
        BaseUrl = baseUrl,
        ApiKey = apiKey,
        MaxRetries = 2,
        RetryBaseDelay = TimeSpan.FromMilliseconds(10),
        MaxRetryDelay = TimeSpan.FromMilliseconds(50),
        AttemptTimeout = TimeSpan.FromSeconds(20),
        CircuitMinimumThroughput = 1000,
        FileProcessingPollInterval = TimeSpan.FromMilliseconds(10),
    };

    /// <summary>Every step on one backend/model, with optional per-step models.</summary>
    public static LlmRoutingOptions Routing(string name, LlmBackendOptions backend, string model, params (LlmStep Step, string Model)[] steps)
    {
        var routing = new LlmRoutingOptions { Default = LlmStepRoute.To(name, model) };
        routing.Backends[name] = backend;
        foreach (var (step, stepModel) in steps) routing.Steps[step] = LlmStepRoute.To(name, stepModel);
        return routing;
    }

    public static LlmGateway Create(LlmRoutingOptions routing, InMemoryObjectStore? store = null, ILogger<LlmGateway>? logger = null) =>
        new(routing, store is null ? null : new ObjectStoreLlmResponseCache(store), logger);

    public static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];
}

/// <summary>Collects every log line (with exception text) so tests can check what is and is not logged.</summary>
public sealed class CapturingLogger<T> : ILogger<T>
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        Lines.Enqueue($"{logLevel}: {formatter(state, exception)} {exception}");
        if (state is IEnumerable<KeyValuePair<string, object?>> pairs)
            foreach (var (key, value) in pairs) Lines.Enqueue($"  {key}={value}");
    }
}
