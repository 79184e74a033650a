using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Grpc.Core;
using Grpc.Core.Interceptors;
using MerFactory.JobApi.Jobs;
using Microsoft.Extensions.Options;

namespace MerFactory.JobApi.Grpc;

/// <summary>Per-credential request rate of the job API (System.Threading.RateLimiting token buckets, one per credential).</summary>
public sealed class RateLimitInterceptor(IOptions<JobApiOptions> options) : Interceptor, IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(caller =>
        RateLimitPartition.GetTokenBucketLimiter(caller, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = options.Value.RequestsPerMinute,
            TokensPerPeriod = options.Value.RequestsPerMinute,
            ReplenishmentPeriod = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        }));

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Admit(context);
        return continuation(request, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Admit(context);
        return continuation(requestStream, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Admit(context);
        return continuation(request, responseStream, context);
    }

    private void Admit(ServerCallContext context)
    {
        // Anonymous calls reach only the health service (the fallback policy refuses the rest); probes are not rate-limited.
        var user = context.GetHttpContext().User;
        if (user.Identity?.IsAuthenticated != true) return;
        using var lease = _limiter.AttemptAcquire(user.CredentialName());
        if (!lease.IsAcquired)
            throw new RpcException(new Status(StatusCode.ResourceExhausted, $"more than {options.Value.RequestsPerMinute} calls per minute"));
    }

    public void Dispose() => _limiter.Dispose();
}

/// <summary>Counts what each credential has in flight (uploads, running jobs) against its limit.</summary>
public sealed class InFlightCounter
{
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);

    /// <summary>Takes one slot of <paramref name="caller"/>; false (nothing taken) when all <paramref name="limit"/> are in use.</summary>
    public bool TryEnter(string caller, int limit)
    {
        while (true)
        {
            var current = _counts.GetOrAdd(caller, 0);
            if (current >= limit) return false;
            if (_counts.TryUpdate(caller, current + 1, current)) return true;
        }
    }

    public void Exit(string caller) => _counts.AddOrUpdate(caller, 0, (_, n) => Math.Max(0, n - 1));

    public int Count(string caller) => _counts.GetValueOrDefault(caller);
}

/// <summary>The credential a call came with (the authentication middleware let only authenticated calls through).</summary>
internal static class Callers
{
    public static string Name(ServerCallContext context) => context.GetHttpContext().User.CredentialName();
}
