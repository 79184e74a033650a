using MerFactory.AuEngine.Landmarks;
using MerFactory.AuEngine.Models;
using MerFactory.Testing;
using OpenCvSharp;

namespace MerFactory.AuEngine.Tests;

/// <summary>Issue 19, point 5: the dlib model (`--landmarks dlib`) also starts from a compiled, checksummed form.</summary>
public sealed class CompiledDlibModelTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("dlib-compiled");

    [Fact]
    public void The_compiled_dlib_model_predicts_exactly_what_the_dlib_file_predicts_and_a_corrupt_one_is_rebuilt()
    {
        var compiledPath = Path.Combine(_work.FullName, "dlib.mfmodel");
        var path = LandmarksTestData.DebianLandmarkModel;
        Assert.Equal(CompiledModelOutcome.Compiled, ShapePredictor.LoadCompiled(path, compiledPath).Outcome);
        var compiled = ShapePredictor.LoadCompiled(path, compiledPath);
        Assert.Equal(CompiledModelOutcome.Loaded, compiled.Outcome);

        using var image = Cv2.ImRead(SharedData.DataPath("media", "pyfeat", "single_face.jpg"));
        var box = new Rect2f(image.Width * 0.3f, image.Height * 0.2f, image.Width * 0.4f, image.Height * 0.5f);
        Assert.Equal(LandmarksTestData.Predictor.Predict(image, box), compiled.Model.Predict(image, box));

        var bytes = File.ReadAllBytes(compiledPath);
        bytes[^100] ^= 0x01;
        File.WriteAllBytes(compiledPath, bytes);
        var rebuilt = ShapePredictor.LoadCompiled(path, compiledPath);
        Assert.Equal(CompiledModelOutcome.Rebuilt, rebuilt.Outcome);
        Assert.Contains("checksum mismatch", rebuilt.Reason);
    }

    public void Dispose() => _work.Delete(recursive: true);
}
