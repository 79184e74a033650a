namespace MerFactory.GateAgent;

/// <summary>A text-only LLM call (planning, evaluation turns, refinement). The pipeline implements it over its LLM step.</summary>
public interface IGateModel
{
    Task<string> CompleteAsync(string prompt, CancellationToken cancellationToken);
}
