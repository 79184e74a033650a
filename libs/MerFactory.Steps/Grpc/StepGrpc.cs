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
            var cause = fault.Fault?.Exceptions.FirstOrDefault();
            Throw(StatusFor(cause), cause?.Message ?? fault.Message);
            throw;
        }
        catch (RequestTimeoutException)
        {
            Throw(StatusCode.DeadlineExceeded, $"{service} did not finish the step in time");
            throw;
        }
    }

    /// <summary>
    /// The caller's input is at fault only when the step said so (<see cref="StepInputException"/>), unless what it
    /// wraps is a missing or corrupt model: the server's set-up, FailedPrecondition. Anything else, such as a native
    /// library that failed to load, is the server's fault: Internal.
    /// </summary>
    public static StatusCode StatusFor(ExceptionInfo? cause)
    {
        if (cause is null || cause.ExceptionType != typeof(StepInputException).FullName) return StatusCode.Internal;
        var inner = cause.InnerException?.ExceptionType ?? "";
        string[] setUp = [".ModelNotFoundException", ".CorruptModelException", ".SpeechModelException", ".OpenFaceNotAvailableException"];
        return setUp.Any(name => inner.EndsWith(name, StringComparison.Ordinal)) ? StatusCode.FailedPrecondition : StatusCode.InvalidArgument;
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
