namespace MerFactory.AuEngine.Models;

/// <summary>Model files the AU engine needs are missing; the message names each one and the command that installs them.</summary>
public sealed class ModelNotFoundException : FileNotFoundException
{
    public const string InstallCommand = "merfactory models install";

    public ModelNotFoundException(string modelName, string path, string? installName = null)
        : this([new MissingModel(modelName, path, installName)])
    {
    }

    public ModelNotFoundException(IReadOnlyList<MissingModel> missing)
        : base(BuildMessage(missing), missing.Count > 0 ? missing[0].Path : null)
    {
        Missing = missing;
    }

    public IReadOnlyList<MissingModel> Missing { get; }

    private static string BuildMessage(IReadOnlyList<MissingModel> missing)
    {
        var list = string.Join("; ", missing.Select(m => $"{m.Name} not found at '{m.Path}'"));
        // Name the catalogue entries when every missing file belongs to one, e.g. `merfactory models install openface-clnf`.
        var names = missing.Select(m => m.InstallName).Distinct().ToList();
        var command = names.All(n => n is not null) ? $"{InstallCommand} {string.Join(' ', names)}" : InstallCommand;
        return $"{list}. Run `{command}` to install the models, or set their paths in the '{AuModelOptions.SectionName}' configuration section.";
    }
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
