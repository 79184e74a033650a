namespace MerFactory.Facs.OpenFace;

/// <summary>The Action Units OpenFace 2.x reports, in its CSV column order.</summary>
public static class OpenFaceAus
{
    /// <summary>The 17 AUs with an intensity (0–5) model.</summary>
    public static IReadOnlyList<string> IntensityAus { get; } =
        ["AU01", "AU02", "AU04", "AU05", "AU06", "AU07", "AU09", "AU10", "AU12", "AU14", "AU15", "AU17", "AU20", "AU23", "AU25", "AU26", "AU45"];

    /// <summary>The 18 AUs with a presence (0/1) model: the intensity ones plus AU28 (lip suck), which has no intensity.</summary>
    public static IReadOnlyList<string> PresenceAus { get; } =
        ["AU01", "AU02", "AU04", "AU05", "AU06", "AU07", "AU09", "AU10", "AU12", "AU14", "AU15", "AU17", "AU20", "AU23", "AU25", "AU26", "AU28", "AU45"];

    /// <summary>"AU01_r" … "AU45_r".</summary>
    public static IReadOnlyList<string> IntensityColumns { get; } = [.. IntensityAus.Select(IntensityColumn)];

    /// <summary>"AU01_c" … "AU45_c".</summary>
    public static IReadOnlyList<string> PresenceColumns { get; } = [.. PresenceAus.Select(PresenceColumn)];

    public static string IntensityColumn(string au) => au + "_r";

    public static string PresenceColumn(string au) => au + "_c";

    /// <summary>OpenFace's head pose columns: translation in mm, rotation in radians.</summary>
    public static IReadOnlyList<string> PoseColumns { get; } = ["pose_Tx", "pose_Ty", "pose_Tz", "pose_Rx", "pose_Ry", "pose_Rz"];

    /// <summary>Number of 2D landmarks OpenFace writes (x_0…x_67, y_0…y_67).</summary>
    public const int LandmarkCount = 68;
}
