using System.Net;
using System.Net.Http.Headers;
using Grpc.Net.Client;

namespace MerFactory.Protos.Clients;

/// <summary>
/// A gRPC channel to a MerFactory service that sends a bearer token with every call. The token travels in plain text
/// only to a loopback address; anywhere else the server must be reached over TLS (https), or the channel is refused.
/// </summary>
public static class ApiChannel
{
    public static GrpcChannel Create(string address, string token, GrpcChannelOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(token);
        var uri = new Uri(address, UriKind.Absolute);
        if (uri.Scheme != Uri.UriSchemeHttps && !IsLoopback(uri))
            throw new ArgumentException($"'{address}' is not on this machine: reach it over https, so the token does not travel in plain text.", nameof(address));
        options ??= new GrpcChannelOptions();
        options.HttpHandler = new BearerTokenHandler(token) { InnerHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true } };
        options.DisposeHttpClient = true;
        return GrpcChannel.ForAddress(uri, options);
    }

    private static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.DnsSafeHost, out var ip) && IPAddress.IsLoopback(ip));

    /// <summary>Adds the token to every request of the channel (gRPC call credentials refuse plain-text channels outright).</summary>
    private sealed class BearerTokenHandler(string token) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
