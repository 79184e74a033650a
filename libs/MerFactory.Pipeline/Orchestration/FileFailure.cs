namespace MerFactory.Pipeline.Orchestration;

/// <summary>An input that cannot be read: a dangling link, no permission, gone since discovery. One line, no stack trace.</summary>
public sealed class InputUnreadableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>How a file's failure is reported: one line for the console and the log, plus details only for bugs.</summary>
internal static class FileFailure
{
    public static (string Message, string? Details) Describe(InputFile input, Exception e)
    {
        var (line, expected) = e switch
        {
            StepFailedException or Media.MediaInputException or InputUnreadableException => (e.Message, true),
            // The file system refused (disk full, name too long, read-only): the cause is the message, not our code.
            IOException or UnauthorizedAccessException => ($"cannot write or read a file: {e.Message}", true),
            _ => ($"{e.GetType().Name}: {e.Message}", false),
        };
        // An unexpected exception is a bug: its stack trace goes to the log file (the console keeps the one line).
        return ($"{input.RelativePath}: {line}", expected ? null : e.ToString());
    }
}
