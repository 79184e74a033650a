using System.Diagnostics.CodeAnalysis;
using Grpc.Core;
using MassTransit;
using MerFactory.Contracts;
using MerFactory.Jobs.Steps;
using MerFactory.Steps;
using ProtoRef = MerFactory.Protos.Common.ObjectRef;

namespace MerFactory.Steps.Grpc;

/// <summary>
/// What every service's gRPC face does around a step: resolve the caller's object reference, run the step
/// through the same consumers as bus messages, and turn step failures into <see cref="RpcException"/>s.
/// </summary>
public static class StepGrpc
{
    public static async Task<StepCompleted<TResponse>> RequestForCallAsync<TResponse>(this StepClient steps, IStepRequest<TResponse> message, string service, ServerCallContext context)
        where TResponse : class
    {
        try
        {
            return await steps.RequestAsync(message, context.CancellationToken).ConfigureAwait(false);
        }
        catch (RequestFaultException fault)
        {
            Throw(StatusCode.InvalidArgument, fault.Fault?.Exceptions.FirstOrDefault()?.Message ?? fault.Message);
            throw;
        }
        catch (RequestTimeoutException)
        {
            Throw(StatusCode.DeadlineExceeded, $"{service} did not finish the step in time");
            throw;
        }
    }

    /// <summary>Completes the caller's reference (hash and size) from the store; a missing object is NotFound.</summary>
    public static async Task<ObjectReference> ResolveForCallAsync(this ArtifactStore artifacts, ProtoRef? source, ServerCallContext context)
    {
        if (source is null || string.IsNullOrEmpty(source.Key)) Throw(StatusCode.InvalidArgument, "source object reference is required");
        try
        {
            return await artifacts.ResolveAsync(new ObjectReference(source.Bucket, source.Key, source.Size, source.Sha256, source.ContentType), context.CancellationToken).ConfigureAwait(false);
        }
        catch (Storage.ObjectNotFoundException e)
        {
            Throw(StatusCode.NotFound, e.Message);
            throw;
        }
    }

    public static ProtoRef ToProto(this ObjectReference r) =>
        new() { Bucket = r.Bucket, Key = r.Key, Size = r.Size, Sha256 = r.Sha256, ContentType = r.ContentType ?? "" };

    [DoesNotReturn]
    public static void Throw(StatusCode code, string detail) => throw new RpcException(new Status(code, detail));
}
