using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace MerFactory.AppHost.Tests;

/// <summary>
/// The last lines each resource logged, as the AppHost forwards them (logger categories "….Resources.{name}"):
/// what a failed start needs to be understood from a CI log without a rerun.
/// </summary>
public sealed class RecentResourceLogs : ILoggerProvider
{
    private const int Kept = 40;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _lines = new();

    public string Tail(string resource) =>
        _lines.TryGetValue(resource, out var lines) ? string.Join("\n", lines) : "(nothing logged)";

    public ILogger CreateLogger(string categoryName)
    {
        var marker = categoryName.LastIndexOf(".Resources.", StringComparison.Ordinal);
        return marker < 0 ? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance
            : new ResourceLines(_lines.GetOrAdd(categoryName[(marker + ".Resources.".Length)..], _ => new()));
    }

    public void Dispose()
    {
    }

    private sealed class ResourceLines(ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lines.Enqueue(formatter(state, exception) + (exception is null ? "" : " " + exception.Message));
            while (lines.Count > Kept) lines.TryDequeue(out _);
        }
    }
}
