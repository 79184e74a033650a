namespace MerFactory.Facs.OpenFace;

/// <summary>The rows of one OpenFace CSV (or of the native engine's output) with their column layout.</summary>
/// <param name="source">Where the rows came from (a file path), used in error messages.</param>
public sealed class OpenFaceTable(string source, OpenFaceLayout layout, IReadOnlyList<OpenFaceFrame> frames)
{
    public string Source { get; } = source;

    public OpenFaceLayout Layout { get; } = layout;

    public IReadOnlyList<OpenFaceFrame> Frames { get; } = frames;

    public int Count => Frames.Count;

    /// <summary>The intensity in <paramref name="column"/> (e.g. "AU12_r") of a row, or null when the table has no such column.</summary>
    public double? Intensity(int row, string column)
    {
        var index = Layout.IntensityIndex(column);
        return index < 0 ? null : Frames[row].Intensities[index];
    }

    /// <summary>The presence in <paramref name="column"/> (e.g. "AU12_c") of a row, or null when the table has no such column.</summary>
    public double? Presence(int row, string column)
    {
        var index = Layout.PresenceIndex(column);
        return index < 0 ? null : Frames[row].Presences[index];
    }

    /// <summary>A table with the same layout holding only the given rows (e.g. successfully tracked frames).</summary>
    public OpenFaceTable Where(Func<OpenFaceFrame, bool> predicate) => new(Source, Layout, Frames.Where(predicate).ToList());
}
