namespace MerFactory.Llm;

/// <summary>What went wrong on one backend attempt.</summary>
public enum LlmFailureKind
{
    RateLimited,
    ServerError,
    Timeout,
    Network,
    MalformedResponse,
    TruncatedStream,
    /// <summary>4xx other than 429: bad request, auth, unknown model. Not retried.</summary>
    ClientError,
    /// <summary>The provider refused (safety block) or returned no text. Not retried.</summary>
    NoAnswer,
    CircuitOpen,
    /// <summary>A 200 whose text fails the answer checks (error text, provider error payload, refusal, over the size cap). Retried.</summary>
    InvalidAnswer,
}

/// <summary>One failed backend attempt. <see cref="IsTransient"/> decides whether it is retried.</summary>
public sealed class LlmBackendException(
    string backend, string? model, LlmFailureKind kind, string message, int? statusCode = null, TimeSpan? retryAfter = null, Exception? inner = null)
    : Exception($"{backend}{(model is null ? "" : $" ({model})")}: {message}", inner)
{
    public string Backend { get; } = backend;
    public string? Model { get; } = model;
    public LlmFailureKind Kind { get; } = kind;
    public int? StatusCode { get; } = statusCode;

    /// <summary>What went wrong, without the backend/model prefix.</summary>
    public string Detail { get; } = message;

    /// <summary>A copy whose texts have <paramref name="secret"/> masked (providers sometimes echo credentials).</summary>
    public LlmBackendException Redact(string? secret) =>
        string.IsNullOrEmpty(secret) || !Detail.Contains(secret, StringComparison.Ordinal) ? this
            : new LlmBackendException(Backend, Model, Kind, Detail.Replace(secret, "***", StringComparison.Ordinal), StatusCode, RetryAfter, InnerException);

    /// <summary>A copy naming the model (errors raised under a client library do not know it).</summary>
    public LlmBackendException ForModel(string model) => new(Backend, model, Kind, Detail, StatusCode, RetryAfter, InnerException);

    /// <summary>Delay the provider asked for (Retry-After header or Gemini RetryInfo).</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;

    public bool IsTransient => Kind is LlmFailureKind.RateLimited or LlmFailureKind.ServerError or LlmFailureKind.Timeout
        or LlmFailureKind.Network or LlmFailureKind.MalformedResponse or LlmFailureKind.TruncatedStream or LlmFailureKind.InvalidAnswer;
}

/// <summary>A step failed for good (retries exhausted, non-transient error, or circuit open).</summary>
public sealed class LlmGatewayException(LlmStep step, string backend, string model, int attempts, LlmFailureKind kind, string message, Exception? inner = null)
    : Exception($"LLM step '{step.ToKebab()}' failed on {backend}/{model} after {attempts} attempt(s): {message}", inner)
{
    public LlmStep Step { get; } = step;
    public string Backend { get; } = backend;
    public string Model { get; } = model;
    public int Attempts { get; } = attempts;
    public LlmFailureKind Kind { get; } = kind;
}
