namespace MerFactory.Facs.OpenFace;

/// <summary>Which columns an OpenFace table carries. Frames of a table store their values in this order.</summary>
/// <param name="intensityColumns">Every column whose name ends in "_r" (MER-Factory sums all of them), in CSV order.</param>
/// <param name="presenceColumns">Every column whose name ends in "_c", in CSV order.</param>
/// <param name="hasPose">Whether frames carry the six pose_* values.</param>
/// <param name="landmarkCount">Number of 2D landmarks per frame (x_i, y_i), 0 when absent.</param>
public sealed class OpenFaceLayout(
    IReadOnlyList<string> intensityColumns,
    IReadOnlyList<string> presenceColumns,
    bool hasPose = false,
    int landmarkCount = 0) : IEquatable<OpenFaceLayout>
{
    public IReadOnlyList<string> IntensityColumns { get; } = [.. intensityColumns];

    public IReadOnlyList<string> PresenceColumns { get; } = [.. presenceColumns];

    public bool HasPose { get; } = hasPose;

    public int LandmarkCount { get; } = landmarkCount >= 0 ? landmarkCount : throw new ArgumentOutOfRangeException(nameof(landmarkCount));

    /// <summary>What <c>FeatureExtraction -aus</c> writes: 17 intensities and 18 presences.</summary>
    public static OpenFaceLayout ActionUnits { get; } = new(OpenFaceAus.IntensityColumns, OpenFaceAus.PresenceColumns);

    /// <summary>Action units plus pose and the 68 landmarks.</summary>
    public static OpenFaceLayout Full { get; } = new(OpenFaceAus.IntensityColumns, OpenFaceAus.PresenceColumns, hasPose: true, landmarkCount: OpenFaceAus.LandmarkCount);

    private Dictionary<string, int>? _intensityIndex;
    private Dictionary<string, int>? _presenceIndex;

    /// <summary>Position of an intensity column such as "AU12_r" in <see cref="OpenFaceFrame.Intensities"/>, or -1.</summary>
    public int IntensityIndex(string column) =>
        (_intensityIndex ??= BuildIndex(IntensityColumns)).GetValueOrDefault(column, -1);

    /// <summary>Position of a presence column such as "AU12_c" in <see cref="OpenFaceFrame.Presences"/>, or -1.</summary>
    public int PresenceIndex(string column) =>
        (_presenceIndex ??= BuildIndex(PresenceColumns)).GetValueOrDefault(column, -1);

    private static Dictionary<string, int> BuildIndex(IReadOnlyList<string> columns)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < columns.Count; i++) index.TryAdd(columns[i], i);
        return index;
    }

    public bool Equals(OpenFaceLayout? other) =>
        other is not null
        && HasPose == other.HasPose
        && LandmarkCount == other.LandmarkCount
        && IntensityColumns.SequenceEqual(other.IntensityColumns)
        && PresenceColumns.SequenceEqual(other.PresenceColumns);

    public override bool Equals(object? obj) => Equals(obj as OpenFaceLayout);

    public override int GetHashCode() => HashCode.Combine(HasPose, LandmarkCount, IntensityColumns.Count, PresenceColumns.Count);
}
