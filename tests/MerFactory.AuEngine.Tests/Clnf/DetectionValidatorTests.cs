using MerFactory.AuEngine.Clnf;
using MerFactory.Testing;
using OpenCvSharp;
using Xunit.Abstractions;

namespace MerFactory.AuEngine.Tests.Clnf;

/// <summary>
/// OpenFace's CNN detection validator (validator_cnn.txt): read as OpenFace reads it, it accepts the faces OpenFace
/// tracked (its own landmarks on the shared clips) with OpenFace's certainty, and rejects landmarks moved off the face.
/// </summary>
public sealed class DetectionValidatorTests(ITestOutputHelper output)
{
    private static DetectionValidator Validator => ClnfTestData.Model.Validator ?? throw new InvalidOperationException("the model names no validator");

    [Fact]
    public void The_validator_file_reads_as_seven_views_of_a_two_convolution_network()
    {
        var views = Validator.Views;
        Assert.Equal(7, views.Count);
        Assert.Equal([0, -20, -45, -70, 20, 45, 70], views.Select(v => Math.Round(v.Ry * 180 / Math.PI)));
        Assert.All(views, v =>
        {
            Assert.Equal((60, 60), (v.Warp.Width, v.Warp.Height));
            Assert.Equal(v.Warp.PixelCount, v.Mean.Length);
            Assert.Equal(
                [ValidatorLayerKind.Convolution, ValidatorLayerKind.Relu, ValidatorLayerKind.MaxPooling, ValidatorLayerKind.Convolution,
                 ValidatorLayerKind.Relu, ValidatorLayerKind.MaxPooling, ValidatorLayerKind.FullyConnected, ValidatorLayerKind.Relu, ValidatorLayerKind.FullyConnected],
                v.Layers.Select(l => l.Kind));
            Assert.Equal((1, 10, 9, 9), (v.Layers[0].Inputs, v.Layers[0].Outputs, v.Layers[0].KernelHeight, v.Layers[0].KernelWidth));
            Assert.Equal((1000, 50), (v.Layers[6].Inputs, v.Layers[6].Outputs));
            Assert.Equal((50, 30), (v.Layers[8].Inputs, v.Layers[8].Outputs));
        });
        Assert.Equal(2642, views[0].Warp.PixelCount);
        Assert.Equal(0, Validator.ViewFor(0.05, 0.1, 0));
        Assert.Equal(5, Validator.ViewFor(0, 40 * Math.PI / 180, 0));
    }

    [Theory]
    [InlineData("media/pyfeat/single_face.mp4", "single_face_openface2017.csv")]
    [InlineData("media/openface_samples/default.wmv", "default_openface2017.csv")]
    public void OpenFaces_own_landmarks_are_accepted_and_the_same_landmarks_moved_off_the_face_are_rejected(string video, string referenceName)
    {
        var reference = new ReferenceCsv(SharedData.DataPath("reference", referenceName));
        using var capture = new VideoCapture(SharedData.DataPath(video.Split('/')));
        using var frame = new Mat();
        var certainties = new List<double>();
        var differences = new List<double>();
        var shiftedAccepted = 0;
        var shiftedChecked = 0;
        for (var row = 0; capture.Read(frame) && !frame.Empty() && row < reference.Rows.Count; row++)
        {
            if (reference.Get(row, "success") == 0) continue;
            var image = GrayImage.FromMat(frame);
            var landmarks = reference.Landmarks(row);
            var (rx, ry, rz) = (reference.Get(row, "p_rx"), reference.Get(row, "p_ry"), reference.Get(row, "p_rz"));
            var certainty = Validator.Check(image, landmarks, rx, ry, rz);
            certainties.Add(certainty);
            differences.Add(Math.Abs(certainty - reference.Get(row, "confidence")));
            if (row % 6 != 0) continue;
            // The same shape moved sideways by the face's width, onto the background, where it stays inside the picture.
            var (left, right) = (landmarks.Take(68).Min(), landmarks.Take(68).Max());
            foreach (var direction in new[] { -1, 1 })
            {
                var shift = direction * (right - left);
                if (left + shift < 0 || right + shift >= frame.Width) continue;
                var moved = (double[])landmarks.Clone();
                for (var i = 0; i < 68; i++) moved[i] += shift;
                shiftedChecked++;
                if (Validator.Check(image, moved, rx, ry, rz) > DetectionValidator.ValidationBoundary) shiftedAccepted++;
            }
        }
        var accepted = certainties.Count(c => c > DetectionValidator.ValidationBoundary);
        output.WriteLine($"{video}: OpenFace's landmarks accepted on {accepted}/{certainties.Count} frames (OpenFace: all); certainty mean {certainties.Average():F3}, " +
                         $"min {certainties.Min():F3}; mean |ours − OpenFace's confidence| {differences.Average():F3}; shifted shapes accepted {shiftedAccepted}/{shiftedChecked}");
        Assert.Equal(certainties.Count, accepted);
        Assert.True(differences.Average() < 0.05, $"mean confidence difference {differences.Average():F3}");
        Assert.True(shiftedChecked > 0);
        Assert.Equal(0, shiftedAccepted);
    }

    [Fact]
    public void A_face_shape_on_a_plain_or_noisy_picture_is_not_a_face()
    {
        var reference = new ReferenceCsv(SharedData.DataPath("reference", "single_face_openface2017.csv"));
        var landmarks = reference.Landmarks(0);
        using var plain = new Mat(360, 640, MatType.CV_8UC3, Scalar.All(90));
        using var noise = new Mat(360, 640, MatType.CV_8UC3);
        Cv2.Randu(noise, Scalar.All(0), Scalar.All(255));
        foreach (var picture in new[] { plain, noise })
            Assert.True(Validator.Check(GrayImage.FromMat(picture), landmarks, 0, 0, 0) < DetectionValidator.ValidationBoundary);
        // Landmarks entirely outside the picture: nothing to check.
        var outside = landmarks.Select((v, i) => v + (i < 68 ? 5000 : 0)).ToArray();
        Assert.Equal(0, Validator.Check(GrayImage.FromMat(plain), outside, 0, 0, 0));
    }
}
