namespace MerFactory.Facs.OpenFace;

/// <summary>One row of an OpenFace CSV: one face in one frame.</summary>
public sealed class OpenFaceFrame
{
    /// <summary>1-based frame number.</summary>
    public int Frame { get; init; }

    public int FaceId { get; init; }

    /// <summary>Seconds from the start of the video.</summary>
    public double Timestamp { get; init; }

    /// <summary>Landmark detection confidence, 0–1.</summary>
    public double Confidence { get; init; }

    /// <summary>False when no face was tracked in this frame.</summary>
    public bool Success { get; init; }

    /// <summary>Values of <see cref="OpenFaceLayout.IntensityColumns"/>, same order.</summary>
    public required double[] Intensities { get; init; }

    /// <summary>Values of <see cref="OpenFaceLayout.PresenceColumns"/> (0 or 1), same order.</summary>
    public required double[] Presences { get; init; }

    /// <summary>pose_Tx, pose_Ty, pose_Tz, pose_Rx, pose_Ry, pose_Rz when the layout has pose.</summary>
    public double[]? Pose { get; init; }

    /// <summary>x_0…x_{n-1} when the layout has landmarks.</summary>
    public double[]? LandmarksX { get; init; }

    /// <summary>y_0…y_{n-1} when the layout has landmarks.</summary>
    public double[]? LandmarksY { get; init; }
}
