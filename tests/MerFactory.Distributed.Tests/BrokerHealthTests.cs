using System.Net;
using MerFactory.Testing;

namespace MerFactory.Distributed.Tests;

/// <summary>A service's health follows its broker: unhealthy while the broker is down, healthy again once it is back.</summary>
public sealed class BrokerHealthTests(DedicatedBrokerFixture fixture) : IClassFixture<DedicatedBrokerFixture>
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task AServiceIsUnhealthyWhileItsBrokerIsDown()
    {
        var httpPort = FreePorts.Block(1);
        using var service = fixture.StartService("media-extract", "MerFactory.MediaExtract.dll",
            new Dictionary<string, string> { ["MERFACTORY_HTTP_PORT"] = httpPort.ToString() }, out _, out var log);
        var health = new Uri($"http://127.0.0.1:{httpPort}/health");

        await WaitForHealthAsync(health, HttpStatusCode.OK, log);
        await fixture.Broker.StopAsync();
        await WaitForHealthAsync(health, HttpStatusCode.ServiceUnavailable, log);
        await fixture.Broker.StartServerAsync();
        await WaitForHealthAsync(health, HttpStatusCode.OK, log);
    }

    /// <summary>Asks the health endpoint until it answers <paramref name="expected"/> (each answer is a fresh health check).</summary>
    private static async Task WaitForHealthAsync(Uri health, HttpStatusCode expected, System.Text.StringBuilder log)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        HttpStatusCode? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var response = await Http.GetAsync(health);
                last = response.StatusCode;
                if (last == expected) return;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            // The next check a moment later: the bus notices a lost or restored broker on its own schedule.
            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }
        throw new Xunit.Sdk.XunitException($"/health answered {last}, not {expected}, for 3 minutes\n{log}");
    }
}
