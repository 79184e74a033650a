using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace MerFactory.Bench;

/// <summary>
/// A loopback reverse proxy (YARP) in front of the S3 server that counts what the services send and fetch: requests,
/// request body bytes and response body bytes, by HTTP method and by the object key's first segment (<c>artifacts</c>,
/// <c>uploads</c>, <c>jobs</c>, ...). The Host header is passed on unchanged, so the clients' SigV4 signatures hold.
/// </summary>
internal sealed class StoreTrafficProxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<(string Method, string Area), Traffic> _traffic = new();

    private StoreTrafficProxy(WebApplication app, string endpoint) => (_app, Endpoint) = (app, endpoint);

    public string Endpoint { get; }

    public sealed class Traffic
    {
        public long Requests, BytesSent, BytesReceived;
    }

    public static async Task<StoreTrafficProxy> StartAsync(string upstream)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o =>
        {
            o.Listen(IPAddress.Loopback, 0);
            o.Limits.MaxRequestBodySize = null;
        });
        builder.Services.AddHttpForwarder();
        var app = builder.Build();
        StoreTrafficProxy? proxy = null;
        app.Use(async (context, next) =>
        {
            var traffic = proxy!._traffic.GetOrAdd((context.Request.Method, Area(context.Request.Path)), _ => new Traffic());
            Interlocked.Increment(ref traffic.Requests);
            context.Request.Body = new CountingStream(context.Request.Body, n => Interlocked.Add(ref traffic.BytesSent, n));
            var response = context.Response.Body;
            context.Response.Body = new CountingStream(response, n => Interlocked.Add(ref traffic.BytesReceived, n));
            try { await next(context); }
            finally { context.Response.Body = response; }
        });
        app.MapForwarder("/{**catch-all}", upstream, ForwarderRequestConfig.Empty, new KeepHost());
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        proxy = new StoreTrafficProxy(app, address.TrimEnd('/'));
        return proxy;
    }

    /// <summary>What crossed the proxy since the last call, then starts counting again.</summary>
    public IReadOnlyDictionary<(string Method, string Area), Traffic> Take()
    {
        var taken = new Dictionary<(string, string), Traffic>();
        foreach (var key in _traffic.Keys)
            if (_traffic.TryRemove(key, out var value)) taken[key] = value;
        return taken;
    }

    /// <summary>Path-style S3: <c>/bucket/area/...</c>; bucket-level calls (list, create) are "(bucket)".</summary>
    private static string Area(PathString path)
    {
        var segments = (path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments.Length > 2 ? segments[1] : segments.Length == 2 ? segments[1] : "(bucket)";
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private sealed class KeepHost : HttpTransformer
    {
        public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
        {
            await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
            proxyRequest.Headers.Host = httpContext.Request.Host.Value; // signed by the client (SigV4)
        }
    }

    /// <summary>Passes reads and writes through and reports how many bytes went by.</summary>
    private sealed class CountingStream(Stream inner, Action<int> counted) : Stream
    {
        public override int Read(byte[] buffer, int offset, int count) => Counted(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Counted(await inner.ReadAsync(buffer, cancellationToken));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count)
        {
            inner.Write(buffer, offset, count);
            counted(count);
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await inner.WriteAsync(buffer, cancellationToken);
            counted(buffer.Length);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private int Counted(int read)
        {
            counted(read);
            return read;
        }

        public override void Flush() => inner.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
        public override bool CanRead => inner.CanRead;
        public override bool CanSeek => false;
        public override bool CanWrite => inner.CanWrite;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
