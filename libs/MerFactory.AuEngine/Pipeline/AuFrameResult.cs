using MerFactory.AuEngine.Alignment;

namespace MerFactory.AuEngine.Pipeline;

/// <summary>
/// One OpenFace-style row: a face in a frame. <see cref="Intensities"/> and <see cref="Presence"/> follow
/// <see cref="ActionUnitEngine.IntensityNames"/> / <see cref="ActionUnitEngine.PresenceNames"/> (AU01_r…AU45_r, AU01_c…AU45_c).
/// </summary>
public sealed record AuFrameResult(
    int Frame,
    int FaceId,
    double Timestamp,
    double Confidence,
    bool Success,
    IReadOnlyList<double> Intensities,
    IReadOnlyList<double> Presence)
{
    /// <summary>68 landmarks (x0..x67, y0..y67) when requested and the face was found.</summary>
    public double[]? Landmarks { get; init; }

    /// <summary>PDM pose when requested and the face was found.</summary>
    public PdmGlobalParams? Pose { get; init; }

    /// <summary>Head pose in OpenFace's CSV convention when landmarks were requested and the face was found.</summary>
    public HeadPose? HeadPose { get; init; }
}

/// <summary>Result of a still image: one row per analysed face, or <see cref="NoFaceFound"/>.</summary>
public sealed record AuImageResult(string Path, IReadOnlyList<AuFrameResult> Faces)
{
    public bool NoFaceFound => Faces.Count == 0;
    public string Describe() => NoFaceFound ? $"{Path}: no face found" : $"{Path}: {Faces.Count} face(s)";
}
