using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MerFactory.Llm.Tests.Fakes;

/// <summary>A real Kestrel server on 127.0.0.1:0 whose requests go to <see cref="HandleAsync"/>.</summary>
public abstract class LoopbackServer : IAsyncDisposable
{
    private WebApplication? _app;
    private int _requests;

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Requests that reached the server (all paths).</summary>
    public int RequestCount => Volatile.Read(ref _requests);

    /// <summary>Problems the server found in requests (a real provider would have answered 400).</summary>
    public ConcurrentQueue<string> Rejections { get; } = new();

    public async Task<LoopbackServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o =>
        {
            o.Listen(IPAddress.Loopback, 0);
            o.Limits.MaxRequestBodySize = 200 * 1024 * 1024;
        });
        _app = builder.Build();
        _app.Run(async context =>
        {
            Interlocked.Increment(ref _requests);
            await HandleAsync(context);
        });
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUrl = new Uri(address.TrimEnd('/') + "/");
        return this;
    }

    protected abstract Task HandleAsync(HttpContext context);

    protected async Task RejectAsync(HttpContext context, int status, string problem, string body)
    {
        Rejections.Enqueue(problem);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try { await _app.StopAsync(cts.Token); } catch (OperationCanceledException) { }
            await _app.DisposeAsync();
        }
        GC.SuppressFinalize(this);
    }
}

/// <summary>Scripted faults, taken in order per request to the model endpoint; null = behave normally.</summary>
/// <summary><see cref="ErrorEvent"/>: a 200 stream that reports a failure mid-answer as <c>data: {"error":{...}}</c>.</summary>
public enum Fault { RateLimited, ServerError, Hang, MalformedJson, TruncatedStream, BadRequest, ErrorEvent }

public sealed class FaultScript
{
    private readonly ConcurrentQueue<Fault?> _queue = new();
    private Fault? _always;

    public FaultScript Then(params Fault?[] faults)
    {
        foreach (var f in faults) _queue.Enqueue(f);
        return this;
    }

    public FaultScript Always(Fault fault)
    {
        _always = fault;
        return this;
    }

    public Fault? Next() => _queue.TryDequeue(out var f) ? f : _always;

    /// <summary>Behave normally from now on.</summary>
    public FaultScript Clear()
    {
        _queue.Clear();
        _always = null;
        return this;
    }
}
