namespace MerFactory.Cli;

/// <summary>Exit codes shared by the commands (MER-Factory's Typer conventions).</summary>
internal static class CliExitCodes
{
    public const int Success = 0;

    /// <summary>The work ran and some of it failed (a file, a record).</summary>
    public const int Failure = 1;

    /// <summary>A usage error: bad option or argument, or a run that cannot start as asked (e.g. no model for an LLM type).</summary>
    public const int Usage = 2;
}
