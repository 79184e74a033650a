using MerFactory.AuEngine.Clnf;
using MerFactory.Testing;
using OpenCvSharp;
using Xunit.Abstractions;

namespace MerFactory.AuEngine.Tests.Clnf;

/// <summary>
/// The fitter alone against OpenFace's landmarks: each frame started from OpenFace's own landmarks of the previous
/// frame (tracking windows), so only the fit itself is measured.
/// </summary>
public sealed class ClnfFitDiagnosticsTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("media/pyfeat/single_face.mp4", "single_face_openface2017.csv")]
    [InlineData("media/openface_samples/default.wmv", "default_openface2017.csv")]
    public void Tracking_from_OpenFace_previous_landmarks_lands_on_OpenFace_landmarks(string video, string referenceName)
    {
        var reference = new ReferenceCsv(SharedData.DataPath("reference", referenceName));
        var model = ClnfTestData.Model;
        var detector = new ClnfLandmarkDetector(model);
        var errors = new LandmarkErrors();
        var start = new LandmarkErrors();
        using var capture = new VideoCapture(SharedData.DataPath(video.Split('/')));
        using var frame = new Mat();
        for (var row = 0; capture.Read(frame) && !frame.Empty() && row < reference.Rows.Count; row++)
        {
            if (row == 0 || reference.Get(row, "success") == 0 || reference.Get(row - 1, "success") == 0) continue;
            var image = GrayImage.FromMat(frame);
            var (pose, local) = model.Main.Pdm.CalcParams(reference.Landmarks(row - 1));
            detector.State.Pose = pose;
            local.CopyTo(detector.State.Local, 0);
            start.Add(model.Main.Pdm.Shape2D(local, pose), reference.Landmarks(row));
            detector.Fit(image, model.Parameters.WindowsSmall);
            errors.Add(detector.Landmarks, reference.Landmarks(row));
        }
        output.WriteLine($"start (previous frame's OpenFace landmarks): {start}");
        output.WriteLine($"after CLNF fit: {errors}");
        Assert.True(errors.Median < start.Median, "the fit should move towards OpenFace's landmarks");
    }
}
