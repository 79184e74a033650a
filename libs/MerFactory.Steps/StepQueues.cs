using MerFactory.Contracts;

namespace MerFactory.Steps;

/// <summary>
/// The queue each step request is sent to: the step's name (its request's <see cref="StepAttribute"/>). Requests are
/// sent to one queue (not published), so a step runs once, on whichever instance of its service takes it.
/// </summary>
public static class StepQueues
{
    public static string For<TRequest>() where TRequest : IStepRequest => StepNames.Of<TRequest>();
}
