namespace MerFactory.Facs.OpenFace;

/// <summary>An OpenFace CSV that cannot be used; the message names the file and the cause.</summary>
public sealed class OpenFaceCsvException(string filePath, string cause, Exception? inner = null)
    : FormatException($"{filePath}: {cause}", inner)
{
    public string FilePath { get; } = filePath;

    /// <summary>The cause without the file name, e.g. MER-Factory's "OpenFace produced an empty CSV.".</summary>
    public string Cause { get; } = cause;

    internal const string EmptyCsv = "OpenFace produced an empty CSV.";
    internal const string NoIntensityColumns = "No AU intensity columns ('_r') found in the data.";
}
