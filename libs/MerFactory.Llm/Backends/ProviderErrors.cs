using System.Globalization;
using System.Net;
using System.Text.Json;

namespace MerFactory.Llm.Backends;

/// <summary>Turns provider error responses into <see cref="LlmBackendException"/>s that say what the provider said.</summary>
internal static class ProviderErrors
{
    private const int MaxBodyInMessage = 500;

    public static async Task<LlmBackendException> FromResponseAsync(string backend, string? model, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        string body;
        try
        {
            body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            body = "";
        }
        var status = (int)response.StatusCode;
        var (message, retryDelay) = ParseErrorBody(body);
        var retryAfter = RetryAfterOf(response) ?? retryDelay;
        var kind = Classify(response.StatusCode);
        var text = $"HTTP {status} {response.ReasonPhrase}: {(message ?? Shorten(body))}";
        return new LlmBackendException(backend, model, kind, text, status, retryAfter);
    }

    public static LlmFailureKind Classify(HttpStatusCode status) => (int)status switch
    {
        429 => LlmFailureKind.RateLimited,
        408 => LlmFailureKind.Timeout,
        >= 500 => LlmFailureKind.ServerError,
        _ => LlmFailureKind.ClientError,
    };

    /// <summary>
    /// Error bodies: Gemini <c>{"error":{"code","message","status","details":[{"@type":"…RetryInfo","retryDelay":"13s"}]}}</c>,
    /// OpenAI <c>{"error":{"message","type","code"}}</c>, Ollama and hf-server <c>{"error":"…"}</c>.
    /// </summary>
    public static (string? Message, TimeSpan? RetryDelay) ParseErrorBody(string body)
    {
        if (string.IsNullOrWhiteSpace(body)) return (null, null);
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("error", out var error)) return (null, null);
            if (error.ValueKind == JsonValueKind.String) return (error.GetString(), null);
            if (error.ValueKind != JsonValueKind.Object) return (null, null);
            var message = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            var status = error.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString()
                : error.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            TimeSpan? delay = null;
            if (error.TryGetProperty("details", out var details) && details.ValueKind == JsonValueKind.Array)
            {
                foreach (var detail in details.EnumerateArray())
                {
                    if (detail.ValueKind == JsonValueKind.Object && detail.TryGetProperty("retryDelay", out var rd) && rd.ValueKind == JsonValueKind.String)
                        delay = ParseDuration(rd.GetString());
                }
            }
            // OpenAI puts a machine-readable code next to the type (e.g. rate_limit_exceeded, invalid_api_key).
            var code = error.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
            var prefix = string.Join(" ", new[] { status, code is null ? null : $"({code})" }.Where(p => p is not null));
            return (prefix.Length == 0 ? message : $"{prefix}: {message}", delay);
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    public static TimeSpan? RetryAfterOf(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta) return delta;
        if (header?.Date is { } date)
        {
            var wait = date - DateTimeOffset.UtcNow;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }
        // Some servers send fractional seconds, which the typed header rejects.
        if (response.Headers.TryGetValues("Retry-After", out var values)
            && double.TryParse(values.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
            return TimeSpan.FromSeconds(seconds);
        return null;
    }

    /// <summary>Protobuf JSON duration, e.g. "13s" or "0.5s".</summary>
    private static TimeSpan? ParseDuration(string? text) =>
        text is { Length: > 1 } && text.EndsWith('s')
        && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0
            ? TimeSpan.FromSeconds(seconds) : null;

    public static string Shorten(string body)
    {
        var trimmed = body.Trim();
        if (trimmed.Length == 0) return "(empty body)";
        return trimmed.Length <= MaxBodyInMessage ? trimmed : trimmed[..MaxBodyInMessage] + "…";
    }

    public static LlmBackendException Malformed(string backend, string? model, string what, Exception? inner = null) =>
        new(backend, model, LlmFailureKind.MalformedResponse, $"malformed response: {what}", inner: inner);
}

/// <summary>
/// Throws a classified <see cref="LlmBackendException"/> for non-success responses before a library sees them (used
/// under OllamaSharp and the OpenAI SDK), and for error events inside a successful SSE stream.
/// </summary>
internal sealed class ProviderErrorHandler(string backend) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode) return await SseErrorEvents.WatchAsync(backend, response, cancellationToken).ConfigureAwait(false);
        using (response)
        {
            throw await ProviderErrors.FromResponseAsync(backend, null, response, cancellationToken).ConfigureAwait(false);
        }
    }
}
