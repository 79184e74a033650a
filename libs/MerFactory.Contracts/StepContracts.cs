using System.Collections.Concurrent;
using System.Reflection;

namespace MerFactory.Contracts;

/// <summary>Every step request names the job and file it serves (for progress and traces) and its input.</summary>
public interface IStepRequest
{
    Guid JobId { get; }
    string FileId { get; }
}

/// <summary>
/// A step request that declares what its step answers: the consumer must produce a <typeparamref name="TResponse"/>,
/// the step manifest stores it, and the sender receives it typed in <see cref="StepCompleted{TResponse}"/>.
/// </summary>
public interface IStepRequest<TResponse> : IStepRequest where TResponse : class;

/// <summary>
/// The step's one name, on its request type: the queue, the artifact folder (<c>artifacts/{name}/{key}/</c>), the step
/// key and the <c>{id}_steps.json</c> entries all take it from here.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class StepAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

/// <summary>Reads a request type's <see cref="StepAttribute"/> and declared response type (once per type).</summary>
public static class StepNames
{
    private static readonly ConcurrentDictionary<Type, string> Names = new();

    public static string Of<TRequest>() where TRequest : IStepRequest => Of(typeof(TRequest));

    public static string Of(Type requestType) => Names.GetOrAdd(requestType, static type =>
        type.GetCustomAttribute<StepAttribute>()?.Name
        ?? throw new InvalidOperationException($"{type.Name} declares no step name ([Step(\"...\")])."));

    /// <summary>The <c>TResponse</c> of every <see cref="IStepRequest{TResponse}"/> the type implements.</summary>
    public static IReadOnlyList<Type> ResponseTypes(Type requestType) =>
    [
        .. requestType.GetInterfaces()
            .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IStepRequest<>))
            .Select(i => i.GetGenericArguments()[0]),
    ];
}

/// <summary>
/// The answer to a step request: the step's typed response, from its manifest. <see cref="TraceId"/> is the W3C trace
/// that produced it (an earlier job's when <see cref="FromCache"/>), when it was traced.
/// </summary>
public sealed record StepCompleted<TResponse>(
    Guid JobId,
    string FileId,
    string Step,
    string StepKey,
    bool FromCache,
    TResponse Response,
    string? TraceId = null) where TResponse : class;
