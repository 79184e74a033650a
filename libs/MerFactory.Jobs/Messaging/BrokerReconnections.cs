using System.Collections.Concurrent;
using MassTransit;

namespace MerFactory.Jobs.Messaging;

/// <summary>
/// Tells when this bus's receive endpoints come back after losing the broker (a broker restart, a network cut):
/// requests in flight across such a gap may have lost their message or their answer, and are asked again.
/// </summary>
public sealed class BrokerReconnections : IReceiveEndpointObserver
{
    private readonly ConcurrentDictionary<Uri, byte> _started = new();
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the next reconnection after this property was read.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    public Task Ready(ReceiveEndpointReady ready)
    {
        // The first ready of an endpoint is its start; any later one follows a lost connection.
        if (ready.IsStarted && !_started.TryAdd(ready.InputAddress, 0))
            Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        return Task.CompletedTask;
    }

    public Task Stopping(ReceiveEndpointStopping stopping) => Task.CompletedTask;

    public Task Completed(ReceiveEndpointCompleted completed) => Task.CompletedTask;

    public Task Faulted(ReceiveEndpointFaulted faulted) => Task.CompletedTask;
}
