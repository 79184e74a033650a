using System.Text.Json;
using MassTransit;
using MerFactory.Contracts;
using MerFactory.Contracts.Llm;
using MerFactory.Steps;

namespace MerFactory.Pipeline.Orchestration;

/// <summary>Sends step requests over the bus (in-memory or RabbitMQ alike) and reports progress.</summary>
public sealed class StepRunner(StepClient client, JobProgressRouter listeners)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<StepCompleted<TResponse>> RunAsync<TResponse>(IStepRequest<TResponse> request, CancellationToken cancellationToken)
        where TResponse : class
    {
        var step = DisplayName(request);
        var progress = listeners.For(request.JobId);
        progress.StepStarted(request.FileId, step);
        try
        {
            var response = FileLease.Current is { } lease
                ? await lease.RunAsync(WorkKey(request), () => client.RequestAsync(request, cancellationToken), cancellationToken).ConfigureAwait(false)
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

    /// <summary>The step as progress and <c>{id}_steps.json</c> name it: its declared name, and for LLM steps which one (<c>llm-audio</c>).</summary>
    public static string DisplayName(IStepRequest request) =>
        request is RunLlmStep llm ? "llm-" + llm.Step : StepNames.Of(request.GetType());

    /// <summary>
    /// The work a request asks for, whatever file asks: the step and its request without the job and file ids. Null
    /// for LLM calls: whether a second identical call is answered from the cache depends on the gateway's settings, so
    /// waiting for the first could only add a call's latency.
    /// </summary>
    public static string? WorkKey(IStepRequest request)
    {
        if (request is RunLlmStep) return null;
        var node = JsonSerializer.SerializeToNode(request, request.GetType(), Json)!.AsObject();
        node.Remove(JsonNamingPolicy.CamelCase.ConvertName(nameof(IStepRequest.JobId)));
        node.Remove(JsonNamingPolicy.CamelCase.ConvertName(nameof(IStepRequest.FileId)));
        return StepNames.Of(request.GetType()) + "|" + node.ToJsonString();
    }
}

public sealed class StepFailedException(string step, string message, Exception? inner = null) : Exception($"{step}: {message}", inner)
{
    public string Step { get; } = step;
}
