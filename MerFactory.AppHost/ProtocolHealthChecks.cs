using System.Net.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using RabbitMQ.Client;

namespace MerFactory.AppHost;

/// <summary>Healthy once the broker completes an AMQP handshake with the services' credentials (an open port is not a broker).</summary>
internal sealed class AmqpHealthCheck(Uri broker) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var factory = new ConnectionFactory { Uri = broker, RequestedConnectionTimeout = TimeSpan.FromSeconds(5) };
            await using var connection = await factory.CreateConnectionAsync("merfactory-apphost-health", cancellationToken);
            return connection.IsOpen ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("the AMQP connection closed at once");
        }
        catch (Exception e) when (e is RabbitMQ.Client.Exceptions.BrokerUnreachableException or System.Net.Sockets.SocketException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"no AMQP handshake with {broker.Host}:{broker.Port}: {e.Message}");
        }
    }
}

/// <summary>Healthy once the object store answers an S3 request (ListBuckets) with an S3 document, success or S3 error.</summary>
internal sealed class S3HealthCheck(Uri endpoint) : IHealthCheck
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var response = await Http.GetAsync(endpoint, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            return body.Contains("ListAllMyBucketsResult", StringComparison.Ordinal) || body.Contains("<Error>", StringComparison.Ordinal)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"{endpoint} answered {(int)response.StatusCode} without an S3 document");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return HealthCheckResult.Unhealthy($"no S3 answer from {endpoint}: {e.Message}");
        }
    }
}
