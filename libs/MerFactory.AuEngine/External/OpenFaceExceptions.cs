namespace MerFactory.AuEngine.External;

/// <summary>The OpenFace binary is not configured, missing or not executable.</summary>
public sealed class OpenFaceNotAvailableException(string message) : InvalidOperationException(message);

/// <summary>OpenFace ran but did not produce a CSV for the input.</summary>
public sealed class OpenFaceFailedException(string inputPath, int exitCode, string standardError, string message)
    : Exception(message)
{
    public string InputPath { get; } = inputPath;

    /// <summary>The process exit code (0 when it exited cleanly without writing the CSV).</summary>
    public int ExitCode { get; } = exitCode;

    public string StandardError { get; } = standardError;
}
