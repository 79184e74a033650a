using System.Net;
using System.Net.Http.Headers;

namespace MerFactory.Dashboard.Tests;

public sealed class SecurityTests : IDisposable
{
    private readonly DatasetFolder _data = new(3);

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task ANonLoopbackBindNeedsTheTokenPrintedAtStart()
    {
        await using var server = await new DashboardServer(_data.Output, host: "0.0.0.0").StartAsync();
        Assert.False(string.IsNullOrEmpty(server.Token)); // generated, as it is printed by `merfactory dashboard`

        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Http.GetAsync("/api/records")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Http.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Http.GetAsync("/api/records/clip_00000/files/clip_00000.wav")).StatusCode);
        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/api/records");
        wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "not-the-token");
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Http.SendAsync(wrong)).StatusCode);

        using var bearer = new HttpRequestMessage(HttpMethod.Get, "/api/records");
        bearer.Headers.Authorization = new AuthenticationHeaderValue("Bearer", server.Token);
        Assert.Equal(HttpStatusCode.OK, (await server.Http.SendAsync(bearer)).StatusCode);

        // Health probes pass the gate (the embedded dashboard maps no health route: 404, not 401); nothing beside them does.
        Assert.Equal(HttpStatusCode.NotFound, (await server.Http.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Http.GetAsync("/health/../api/records")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Http.GetAsync("/healthy")).StatusCode);

        // The printed URL (?token=) sets a session cookie, so the page's own requests need no token afterwards.
        Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync($"/?token={server.Token}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync("/api/records")).StatusCode);
    }

    [Fact]
    public async Task TheLoopbackDefaultNeedsNoToken()
    {
        await using var server = await new DashboardServer(_data.Output).StartAsync();
        Assert.Null(server.Token);
        Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync("/api/records")).StatusCode);
    }
}
