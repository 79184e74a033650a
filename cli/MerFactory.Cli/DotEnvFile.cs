namespace MerFactory.Cli;

/// <summary>
/// MER-Factory reads <c>.env</c> from the working directory (python-dotenv): GOOGLE_API_KEY, OPENAI_API_KEY,
/// OPENFACE_EXECUTABLE, OLLAMA_HOST, .... Variables already in the real environment win.
/// </summary>
internal static class DotEnvFile
{
    public const string FileName = ".env";

    /// <summary>Loads <c>./.env</c> when present; returns the names it set.</summary>
    public static IReadOnlyList<string> LoadFromWorkingDirectory()
    {
        var path = Path.Combine(Environment.CurrentDirectory, FileName);
        if (!File.Exists(path)) return [];
        try
        {
            return [.. DotNetEnv.Env.NoClobber().Load(path).Select(pair => pair.Key)];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"Warning: could not read {path}: {e.Message}");
            return [];
        }
    }
}
