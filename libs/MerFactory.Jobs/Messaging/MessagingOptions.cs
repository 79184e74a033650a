namespace MerFactory.Jobs.Messaging;

/// <summary>Transport and delivery settings (section <c>Messaging</c>).</summary>
public sealed class MessagingOptions
{
    public const string SectionName = "Messaging";

    /// <summary><c>InMemory</c> (embedded, one process) or <c>RabbitMq</c> (distributed).</summary>
    public string Transport { get; set; } = "InMemory";

    /// <summary>amqp://user:password@host:port/vhost when <see cref="Transport"/> is RabbitMq.</summary>
    public string? RabbitMqConnectionString { get; set; }

    /// <summary>Immediate retries of a failing message (with exponential backoff) before it goes to the error queue.</summary>
    public int RetryLimit { get; set; } = 3;

    public TimeSpan RetryMinInterval { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan RetryMaxInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a caller waits for a step's answer; media and AU work on long videos takes minutes.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromHours(2);

    /// <summary>
    /// Prefix of every queue name. Deployments sharing one broker (or parallel test runs) use different
    /// prefixes so they never take each other's messages.
    /// </summary>
    public string EndpointPrefix { get; set; } = "";

    /// <summary>The queue of a step, e.g. <c>probe-media</c> or <c>{prefix}-probe-media</c>.</summary>
    public string QueueName(string step) => string.IsNullOrEmpty(EndpointPrefix) ? step : $"{EndpointPrefix}-{step}";

    /// <summary>Messages one consumer endpoint processes at once (0 = MassTransit's default).</summary>
    public int ConcurrentMessageLimit { get; set; }
}
