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

    /// <summary>The distinct face ids, ascending.</summary>
    public IReadOnlyList<int> FaceIds => [.. Frames.Select(f => f.FaceId).Distinct().Order()];

    /// <summary>The face tracked successfully in the most rows (the lowest id on ties), or null for an empty table.</summary>
    public int? MostPresentFaceId() =>
        Frames.Count == 0
            ? null
            : Frames.GroupBy(f => f.FaceId)
                .OrderByDescending(g => g.Count(f => f.Success)).ThenBy(g => g.Key)
                .First().Key;

    /// <summary>A table with the same layout holding only the given rows (e.g. successfully tracked frames).</summary>
    public OpenFaceTable Where(Func<OpenFaceFrame, bool> predicate) => new(Source, Layout, Frames.Where(predicate).ToList());
}
