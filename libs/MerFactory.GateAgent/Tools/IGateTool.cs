namespace MerFactory.GateAgent.Tools;

/// <summary>
/// A verification tool the model may call. Tools read only the sample's own files named in <see cref="GateInput"/>;
/// the model chooses among declared, validated arguments and never supplies paths, commands or code.
/// </summary>
public interface IGateTool
{
    /// <summary>The name the model uses in <c>"tool"</c>: lower-case letters and underscores.</summary>
    string Name { get; }

    /// <summary>What the tool tells the model, shown in the evaluation prompt.</summary>
    string Description { get; }

    IReadOnlyList<GateToolParameter> Parameters { get; }

    /// <summary>Whether the sample has what the tool reads; unavailable tools are not offered to the model.</summary>
    bool IsAvailable(GateToolContext context);

    /// <summary>
    /// Runs with arguments already validated against <see cref="Parameters"/>. A problem the model can act on
    /// (no such stream, time out of range) is returned as text; <see cref="GateToolException"/> reports a failure.
    /// </summary>
    Task<string> RunAsync(GateToolArguments arguments, GateToolContext context, CancellationToken cancellationToken);
}

/// <summary>A tool could not produce a result; the message goes back to the model as "ERROR: …".</summary>
public sealed class GateToolException(string message, Exception? inner = null) : Exception(message, inner);
