using System.Collections.Concurrent;
using System.Reflection;
using MassTransit;
using MerFactory.Compute;
using MerFactory.Contracts;
using MerFactory.Jobs.Messaging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MerFactory.Steps;

/// <summary>
/// Sends a step request to its queue and waits for the step's answer. When the broker goes away and comes back
/// while the answer is awaited, the request is sent again: the request or its answer may have been lost with the
/// broker (answers travel through this bus's own, non-durable queue). Asking again is safe because steps are
/// idempotent: a finished step answers from its committed manifest, without doing its work again.
/// </summary>
public sealed partial class StepClient(IClientFactory clients, MessagingOptions options, BrokerReconnections reconnections, ILogger<StepClient>? logger = null)
{
    private readonly ILogger _logger = logger ?? NullLogger<StepClient>.Instance;

    private static readonly MethodInfo SendMethod = typeof(StepClient).GetMethod(nameof(SendAsync), BindingFlags.Instance | BindingFlags.NonPublic)!;
    private static readonly ConcurrentDictionary<(Type Request, Type Response), MethodInfo> Senders = new();

    /// <summary>Sends the request to its step's queue and returns the step's typed response.</summary>
    public Task<StepCompleted<TResponse>> RequestAsync<TResponse>(IStepRequest<TResponse> request, CancellationToken cancellationToken)
        where TResponse : class
    {
        // MassTransit's request client needs the request's own type; the caller gives the response type only.
        var send = Senders.GetOrAdd((request.GetType(), typeof(TResponse)), static t => SendMethod.MakeGenericMethod(t.Request, t.Response));
        return (Task<StepCompleted<TResponse>>)send.Invoke(this, [request, cancellationToken])!;
    }

    private async Task<StepCompleted<TResponse>> SendAsync<TRequest, TResponse>(IStepRequest<TResponse> message, CancellationToken cancellationToken)
        where TRequest : class, IStepRequest<TResponse>
        where TResponse : class
    {
        var request = (TRequest)message;
        var queue = options.QueueName(StepQueues.For<TRequest>());
        var client = clients.CreateRequestClient<TRequest>(new Uri("queue:" + queue));
        // The file's place in the CPU queue travels with the request, so services run earlier files' work first.
        var order = ComputeOrder.Current;
        while (true)
        {
            var reconnected = reconnections.Next;
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var response = order is { } value
                ? client.GetResponse<StepCompleted<TResponse>>(request, x => x.UseExecute(send => send.Headers.Set(ComputeOrder.Header, ComputeOrder.Format(value))), attempt.Token)
                : client.GetResponse<StepCompleted<TResponse>>(request, attempt.Token);
            if (await Task.WhenAny(response, reconnected).ConfigureAwait(false) != response)
            {
                await attempt.CancelAsync().ConfigureAwait(false);
                LogAskingAgain(_logger, queue, request.FileId);
            }
            try
            {
                return (await response.ConfigureAwait(false)).Message;
            }
            catch (OperationCanceledException) when (attempt.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                // cancelled for the reconnection: ask again
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The broker reconnected while {Queue} of {FileId} awaited its answer: asking again")]
    private static partial void LogAskingAgain(ILogger logger, string queue, string fileId);
}
