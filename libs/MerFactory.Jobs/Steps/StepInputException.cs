namespace MerFactory.Jobs.Steps;

/// <summary>
/// The input itself is unusable (corrupt, unreadable, wrong kind). Retrying cannot help, so the
/// messaging layer does not retry it and the file fails with this message.
/// </summary>
public sealed class StepInputException(string message, Exception? inner = null) : Exception(message, inner);
