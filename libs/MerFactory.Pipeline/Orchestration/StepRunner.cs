using System.Text.Json;
using MassTransit;
using MerFactory.Contracts.Media;
using MerFactory.Pipeline.Consumers;
using MerFactory.Steps;

namespace MerFactory.Pipeline.Orchestration;

/// <summary>Sends step requests over the bus (in-memory or RabbitMQ alike) and reports progress.</summary>
public sealed class StepRunner(StepClient client, JobProgressRouter listeners)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<StepCompleted> RunAsync<TRequest>(string step, TRequest request, CancellationToken cancellationToken)
        where TRequest : class, IStepRequest
    {
        var progress = listeners.For(request.JobId);
        progress.StepStarted(request.FileId, step);
        try
        {
            var response = FileLease.Current is { } lease
                ? await lease.RunAsync(WorkKey(step, request), () => client.RequestAsync(request, cancellationToken), cancellationToken).ConfigureAwait(false)
                : await client.RequestAsync(request, cancellationToken).ConfigureAwait(false);
            progress.StepFinished(request.FileId, step, response.FromCache);
            return response;
        }
        catch (RequestFaultException fault)
        {
            var message = fault.Fault?.Exceptions.FirstOrDefault()?.Message ?? fault.Message;
            progress.StepFailed(request.FileId, step, message);
            throw new StepFailedException(step, message, fault);
        }
        catch (RequestTimeoutException timeout)
        {
            progress.StepFailed(request.FileId, step, "timed out");
            throw new StepFailedException(step, "no answer before the request timeout (is the service running?)", timeout);
        }
    }

    /// <summary>
    /// The work a request asks for, whatever file asks: the step and its request without the job and file ids. Null
    /// for LLM calls: whether a second identical call is answered from the cache depends on the gateway's settings, so
    /// waiting for the first could only add a call's latency.
    /// </summary>
    public static string? WorkKey<TRequest>(string step, TRequest request) where TRequest : class, IStepRequest
    {
        if (request is Contracts.Llm.RunLlmStep) return null;
        var node = JsonSerializer.SerializeToNode(request, Json)!.AsObject();
        node.Remove(JsonNamingPolicy.CamelCase.ConvertName(nameof(IStepRequest.JobId)));
        node.Remove(JsonNamingPolicy.CamelCase.ConvertName(nameof(IStepRequest.FileId)));
        return step + "|" + node.ToJsonString();
    }

    public static T Result<T>(StepCompleted completed) =>
        JsonSerializer.Deserialize<T>(completed.ResultJson, Json) ?? throw new InvalidOperationException($"Step {completed.Step} returned no result.");
}

public sealed class StepFailedException(string step, string message, Exception? inner = null) : Exception($"{step}: {message}", inner)
{
    public string Step { get; } = step;
}
