using MerFactory.AuEngine.Pipeline;
using MerFactory.Testing;
using Xunit.Abstractions;

namespace MerFactory.AuEngine.Tests;

/// <summary>
/// Issue 19, point 3: the AU CSV's pose columns as OpenFace computes them (GetCorrectedPoseCamera: solvePnP of the
/// fitted 3-D shape under perspective, rotation corrected for the camera direction), against OpenFace's own columns.
/// </summary>
public sealed class HeadPoseAcceptanceTests(EngineFixture fixture, ITestOutputHelper output) : IClassFixture<EngineFixture>
{
    [Theory]
    [InlineData("media/openface_samples/default.wmv", "default_openface2017.csv")]
    [InlineData("media/pyfeat/single_face.mp4", "single_face_openface2017.csv")]
    public async Task Pose_columns_agree_with_OpenFaces(string video, string referenceName)
    {
        var reference = new ReferenceCsv(SharedData.DataPath("reference", referenceName));
        var rows = new List<AuFrameResult>();
        await foreach (var row in fixture.Engine.AnalyzeVideoAsync(SharedData.DataPath(video.Split('/')), new AuRunOptions { IncludeLandmarks = true })) rows.Add(row);
        string[] columns = ["pose_Tx", "pose_Ty", "pose_Tz", "pose_Rx", "pose_Ry", "pose_Rz"];
        var errors = columns.ToDictionary(c => c, _ => new List<double>());
        for (var i = 0; i < rows.Count && i < reference.Rows.Count; i++)
        {
            if (!rows[i].Success || reference.Get(i, "success") != 1 || rows[i].HeadPose is not { } ours) continue;
            double[] mine = [ours.Tx, ours.Ty, ours.Tz, ours.Rx, ours.Ry, ours.Rz];
            for (var c = 0; c < columns.Length; c++) errors[columns[c]].Add(Math.Abs(mine[c] - reference.Get(i, columns[c])));
        }
        var report = string.Join(", ", columns.Select(c => $"{c} {errors[c].Average():F3}"));
        output.WriteLine($"{video}: mean absolute difference over {errors["pose_Rx"].Count} frames: {report}");
        Assert.True(errors["pose_Rx"].Count > 50, "too few frames compared");
        // Rotations within 0.01 rad (0.6°) on average, translations within 1% of the distance.
        foreach (var c in columns[3..]) Assert.True(errors[c].Average() < 0.01, report);
        var distance = reference.Column("pose_Tz").Average();
        foreach (var c in columns[..3]) Assert.True(errors[c].Average() < 0.01 * distance, report);
    }
}
