using System.Globalization;
using System.Text;

namespace MerFactory.AuEngine.Pipeline;

/// <summary>
/// Writer of OpenFace's columns (same header spelling, ", " separators as OpenFace writes): frame, face_id, timestamp,
/// confidence, success, optionally the head pose and the 68 landmarks, then the AUs.
/// </summary>
public static class OpenFaceCsvWriter
{
    private static readonly string[] PoseColumns = ["pose_Tx", "pose_Ty", "pose_Tz", "pose_Rx", "pose_Ry", "pose_Rz"];
    private const int LandmarkCount = 68;

    public static string Header(IReadOnlyList<string> intensityNames, IReadOnlyList<string> presenceNames, bool landmarkColumns = false)
    {
        var header = new StringBuilder("frame, face_id, timestamp, confidence, success");
        if (landmarkColumns)
        {
            foreach (var name in PoseColumns) header.Append(", ").Append(name);
            for (var i = 0; i < LandmarkCount; i++) header.Append(", x_").Append(i);
            for (var i = 0; i < LandmarkCount; i++) header.Append(", y_").Append(i);
        }
        foreach (var name in intensityNames) header.Append(", ").Append(name).Append("_r");
        foreach (var name in presenceNames) header.Append(", ").Append(name).Append("_c");
        return header.ToString();
    }

    /// <summary>One row; with <paramref name="landmarkColumns"/>, a frame without a face has zeros there (success = 0).</summary>
    public static string Row(AuFrameResult row, bool landmarkColumns = false)
    {
        var inv = CultureInfo.InvariantCulture;
        var line = new StringBuilder();
        line.Append(row.Frame.ToString(inv)).Append(", ").Append(row.FaceId.ToString(inv)).Append(", ")
            .Append(row.Timestamp.ToString("0.###", inv)).Append(", ").Append(row.Confidence.ToString("0.###", inv)).Append(", ")
            .Append(row.Success ? '1' : '0');
        if (landmarkColumns)
        {
            var pose = row.HeadPose;
            double[] poseValues = pose is null ? new double[6] : [pose.Tx, pose.Ty, pose.Tz, pose.Rx, pose.Ry, pose.Rz];
            foreach (var v in poseValues) line.Append(", ").Append(v.ToString("0.###", inv));
            for (var i = 0; i < 2 * LandmarkCount; i++)
                line.Append(", ").Append((row.Landmarks is { Length: 2 * LandmarkCount } l ? l[i] : 0).ToString("0.###", inv));
        }
        foreach (var v in row.Intensities) line.Append(", ").Append(v.ToString("0.####", inv));
        foreach (var v in row.Presence) line.Append(", ").Append(v.ToString("0.#", inv));
        return line.ToString();
    }

    public static async Task<int> WriteAsync(IAsyncEnumerable<AuFrameResult> rows, IReadOnlyList<string> intensityNames,
        IReadOnlyList<string> presenceNames, TextWriter writer, CancellationToken cancellationToken = default, bool landmarkColumns = false)
    {
        await writer.WriteLineAsync(Header(intensityNames, presenceNames, landmarkColumns).AsMemory(), cancellationToken).ConfigureAwait(false);
        var count = 0;
        await foreach (var row in rows.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            await writer.WriteLineAsync(Row(row, landmarkColumns).AsMemory(), cancellationToken).ConfigureAwait(false);
            count++;
        }
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        return count;
    }
}
