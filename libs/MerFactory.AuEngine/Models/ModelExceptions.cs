namespace MerFactory.AuEngine.Models;

/// <summary>A model file the AU engine needs is missing; the message names it and the command that installs it.</summary>
public sealed class ModelNotFoundException : FileNotFoundException
{
    public const string InstallCommand = "merfactory models install";

    public ModelNotFoundException(string modelName, string path)
        : base($"{modelName} not found at '{path}'. Run `{InstallCommand}` to install the models (or set its path in the AuModels configuration).", path)
    {
        ModelName = modelName;
    }

    /// <summary>Human-readable name of the missing model, e.g. "dlib 68-point landmark model".</summary>
    public string ModelName { get; }
}

/// <summary>A model file exists but cannot be read (truncated, wrong format, garbage); the message names the file and the cause.</summary>
public sealed class CorruptModelException : IOException
{
    public CorruptModelException(string path, string cause, Exception? inner = null)
        : base($"Model file '{path}' is corrupt or has the wrong format: {cause}", inner)
    {
        FilePath = path;
    }

    public string FilePath { get; }
}
