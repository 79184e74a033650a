using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Grpc.Core;
using MassTransit;
using MerFactory.Contracts;
using MerFactory.Contracts.Llm;
using MerFactory.Contracts.Media;
using MerFactory.Jobs.Steps;
using MerFactory.Llm;
using MerFactory.Protos.Common;
using MerFactory.Protos.LlmGateway;
using ProtoRef = MerFactory.Protos.Common.ObjectRef;
using MerFactory.Steps;
using MerFactory.Steps.Grpc;
using MerFactory.Steps.Llm;

namespace MerFactory.LlmGateway.Grpc;

/// <summary>
/// The gRPC face of the llm-gateway. Calls go through the same step consumer as bus messages, so a call and a
/// message for the same step share one artifact and both caches.
/// </summary>
public sealed class LlmGatewayService(StepClient steps, ArtifactStore artifacts, ILlmGateway gateway, LlmStepGateways gateways)
    : Protos.LlmGateway.LlmGateway.LlmGatewayBase
{
    public override Task<ServiceDescription> Describe(Empty request, ServerCallContext context) =>
        Task.FromResult(new ServiceDescription
        {
            Name = "llm-gateway",
            Version = typeof(LlmGatewayService).Assembly.GetName().Version?.ToString() ?? "0",
            Capabilities = { "llm", "run", "routes" },
        });

    public override Task<LlmRoutesReply> Routes(Empty request, ServerCallContext context)
    {
        var reply = new LlmRoutesReply { Description = gateways.Routing.Description ?? "" };
        foreach (var step in Enum.GetValues<LlmStep>())
        {
            var route = gateway.Resolve(step);
            var entry = new LlmRoute { Step = step.ToKebab(), Configured = route is not null };
            if (route is not null)
            {
                entry.Backend = route.Backend;
                entry.BackendKind = route.Kind.ToString();
                entry.Model = route.Model;
                entry.Capabilities.AddRange(Enum.GetValues<Modality>()
                    .Where(m => m is not (Modality.None or Modality.All) && route.Capabilities.HasFlag(m))
                    .Select(m => m.ToString().ToLowerInvariant()));
            }
            reply.Routes.Add(entry);
        }
        return Task.FromResult(reply);
    }

    public override async Task<LlmRunReply> Run(LlmRunRequest request, ServerCallContext context)
    {
        if (string.IsNullOrWhiteSpace(request.Step)) Throw(StatusCode.InvalidArgument, "step is required (audio, video, image, facial-expression, synthesis, gate)");
        if (string.IsNullOrWhiteSpace(request.Prompt)) Throw(StatusCode.InvalidArgument, "prompt is required");
        var jobId = Guid.Empty;
        if (request.JobId.Length > 0 && !Guid.TryParse(request.JobId, out jobId)) Throw(StatusCode.InvalidArgument, $"job_id '{request.JobId}' is not a GUID");

        var media = new List<ObjectReference>();
        foreach (var item in request.Media) media.Add(await ToContractAsync(item, "media", context));
        var frames = new List<ObjectReference>();
        foreach (var item in request.EvidenceFrames) frames.Add(await ToContractAsync(item, "evidence frame", context));
        var evidence = frames.Count == 0 && request.Transcript.Length == 0 && request.ProsodySummary.Length == 0
            ? null
            : new LlmEvidenceRefs(frames, NullIfEmpty(request.Transcript), NullIfEmpty(request.ProsodySummary));
        var fileId = request.FileId.Length > 0 ? request.FileId
            : media.Count > 0 ? Path.GetFileNameWithoutExtension(media[0].Key) : request.Step;

        var message = new RunLlmStep(jobId, fileId, request.Step, request.Prompt, media, evidence, NullIfEmpty(request.RoutingJson));
        StepCompleted<LlmStepOutcome> completed;
        try
        {
            completed = await steps.RequestAsync(message, context.CancellationToken);
        }
        catch (RequestFaultException fault)
        {
            var exception = fault.Fault?.Exceptions.FirstOrDefault();
            var detail = exception?.Message ?? fault.Message;
            // An LLM failure after retries names its kind; anything else is a bad request.
            if (exception?.Data?.TryGetValue(RunLlmStepConsumer.FailureKindKey, out var kind) == true)
                Throw(kind?.ToString() is nameof(LlmFailureKind.ClientError) or nameof(LlmFailureKind.NoAnswer) ? StatusCode.FailedPrecondition : StatusCode.Unavailable, detail);
            Throw(StatusCode.InvalidArgument, detail);
            throw;
        }
        catch (RequestTimeoutException)
        {
            Throw(StatusCode.DeadlineExceeded, "llm-gateway did not finish the step in time");
            throw;
        }

        var outcome = completed.Response;
        var reply = new LlmRunReply
        {
            Status = outcome.Status,
            Text = outcome.Text ?? "",
            SkipReason = outcome.SkipReason ?? "",
            Backend = outcome.Backend ?? "",
            BackendKind = outcome.BackendKind ?? "",
            Model = outcome.Model ?? "",
            Degradation = outcome.Degradation,
            DegradationDescription = outcome.DegradationDescription ?? "",
            Cached = outcome.Cached,
            FromStepCache = completed.FromCache,
            Attempts = outcome.Attempts,
            StepKey = completed.StepKey,
        };
        if (outcome.InputTokens is { } input) reply.InputTokens = input;
        if (outcome.OutputTokens is { } output) reply.OutputTokens = output;
        // The step's manifest holds the outcome (stored once, typed).
        if (await artifacts.Objects.StatAsync(ArtifactStore.ManifestKey(completed.Step, completed.StepKey), context.CancellationToken) is { } manifest)
            reply.Result = ToProto(artifacts.ToReference(manifest, "application/json"));
        return reply;
    }

    [DoesNotReturn]
    private static void Throw(StatusCode code, string detail) => throw new RpcException(new Status(code, detail));

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    private async Task<ObjectReference> ToContractAsync(ProtoRef source, string what, ServerCallContext context)
    {
        if (source is null || string.IsNullOrEmpty(source.Key)) Throw(StatusCode.InvalidArgument, $"{what} object reference needs a key");
        try
        {
            return await artifacts.ResolveAsync(new ObjectReference(source.Bucket, source.Key, source.Size, source.Sha256, NullIfEmpty(source.ContentType)), context.CancellationToken);
        }
        catch (Storage.ObjectNotFoundException e)
        {
            Throw(StatusCode.NotFound, e.Message);
            throw;
        }
    }

    private static ProtoRef ToProto(ObjectReference r) =>
        new() { Bucket = r.Bucket, Key = r.Key, Size = r.Size, Sha256 = r.Sha256, ContentType = r.ContentType ?? "" };
}
