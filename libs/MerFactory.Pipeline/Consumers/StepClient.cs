using MassTransit;
using MerFactory.Contracts.Media;
using MerFactory.Jobs.Messaging;

namespace MerFactory.Pipeline.Consumers;

/// <summary>Sends a step request to its queue and waits for the step's answer.</summary>
public sealed class StepClient(IClientFactory clients, MessagingOptions options)
{
    public async Task<StepCompleted> RequestAsync<TRequest>(TRequest request, CancellationToken cancellationToken)
        where TRequest : class, IStepRequest
    {
        var address = new Uri("queue:" + options.QueueName(StepQueues.For<TRequest>()));
        var response = await clients.CreateRequestClient<TRequest>(address).GetResponse<StepCompleted>(request, cancellationToken).ConfigureAwait(false);
        return response.Message;
    }
}
