using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// A request a service rejects with <see cref="ArgumentException"/> (a malformed object key or prefix, a bad file id)
/// is the caller's error: it answers InvalidArgument with the reason, in every service, instead of Unknown.
/// </summary>
public sealed class InvalidArgumentInterceptor : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (ArgumentException e)
        {
            throw InvalidArgument(e);
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context);
        }
        catch (ArgumentException e)
        {
            throw InvalidArgument(e);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (ArgumentException e)
        {
            throw InvalidArgument(e);
        }
    }

    private static RpcException InvalidArgument(ArgumentException e) => new(new Status(StatusCode.InvalidArgument, e.Message));
}
