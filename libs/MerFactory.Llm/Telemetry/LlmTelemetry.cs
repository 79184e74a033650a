using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace MerFactory.Llm.Telemetry;

/// <summary>
/// OpenTelemetry instruments of the gateway. Names follow the GenAI semantic conventions where they exist
/// (<c>gen_ai.client.token.usage</c>, <c>gen_ai.client.operation.duration</c>); the rest are <c>merfactory.llm.*</c>.
/// Register with <c>AddMeter(LlmTelemetry.Name)</c> / <c>AddSource(LlmTelemetry.Name)</c>.
/// </summary>
public static class LlmTelemetry
{
    public const string Name = "MerFactory.Llm";

    public static readonly ActivitySource ActivitySource = new(Name);
    public static readonly Meter Meter = new(Name);

    public static readonly Histogram<long> TokenUsage = Meter.CreateHistogram<long>(
        "gen_ai.client.token.usage", "{token}", "Tokens used per LLM call, by gen_ai.token.type (input/output).");

    public static readonly Histogram<double> OperationDuration = Meter.CreateHistogram<double>(
        "gen_ai.client.operation.duration", "s", "Latency of each backend attempt.");

    public static readonly Counter<long> Errors = Meter.CreateCounter<long>(
        "merfactory.llm.errors", "{error}", "Failed backend attempts, by error.type.");

    public static readonly Counter<long> Retries = Meter.CreateCounter<long>(
        "merfactory.llm.retries", "{retry}", "Retries scheduled after transient failures.");

    public static readonly Histogram<double> RetryDelay = Meter.CreateHistogram<double>(
        "merfactory.llm.retry.delay", "s", "Delay before each retry (Retry-After when the provider sent one, else jittered backoff).");

    public static readonly Counter<long> CacheLookups = Meter.CreateCounter<long>(
        "merfactory.llm.cache.lookups", "{lookup}", "Response-cache lookups, by merfactory.llm.cache.result (hit/miss).");

    public static readonly Counter<long> Steps = Meter.CreateCounter<long>(
        "merfactory.llm.steps", "{step}", "Steps run, by merfactory.llm.outcome (completed/cached/skipped/failed) and degradation.");

    internal static TagList Tags(string? backend, string? model, LlmStep step)
    {
        var tags = new TagList
        {
            { "gen_ai.operation.name", "chat" },
            { "merfactory.llm.step", step.ToKebab() },
        };
        if (backend is not null) tags.Add("merfactory.llm.backend", backend);
        if (model is not null) tags.Add("gen_ai.request.model", model);
        return tags;
    }
}
