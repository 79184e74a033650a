using MerFactory.AuEngine.Detection;
using MerFactory.AuEngine.Landmarks;
using MerFactory.AuEngine.Models;
using MerFactory.Testing;

namespace MerFactory.AuEngine.Tests;

/// <summary>Missing and corrupt model files give errors that name the file and, when missing, the install command.</summary>
public sealed class LandmarksModelFilesTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("merfactory-models-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void Missing_landmark_model_names_the_file_and_the_install_command()
    {
        var path = Path.Combine(folder, "shape_predictor_68_face_landmarks.dat");
        var error = Assert.Throws<ModelNotFoundException>(() => ShapePredictor.Load(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("merfactory models install", error.Message);
    }

    [Fact]
    public void Truncated_landmark_model_is_reported_as_corrupt_with_its_path()
    {
        var path = Path.Combine(folder, "truncated.dat");
        using (var source = File.OpenRead(LandmarksTestData.DebianLandmarkModel))
        using (var target = File.Create(path))
        {
            var head = new byte[1 << 20];
            source.ReadExactly(head);
            target.Write(head);
        }

        var error = Assert.Throws<CorruptModelException>(() => ShapePredictor.Load(path));
        Assert.Equal(path, error.FilePath);
        Assert.Contains(path, error.Message);
        Assert.Contains("unexpected end of file", error.Message);
    }

    [Fact]
    public void Garbage_landmark_model_is_reported_as_corrupt_with_its_path()
    {
        var path = Path.Combine(folder, "garbage.dat");
        var bytes = new byte[4096];
        new Random(3).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<CorruptModelException>(() => ShapePredictor.Load(path));
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void Landmark_model_with_trailing_bytes_is_rejected()
    {
        var path = Path.Combine(folder, "padded.dat");
        File.Copy(LandmarksTestData.DebianLandmarkModel, path);
        using (var stream = new FileStream(path, FileMode.Append)) stream.Write([1, 2, 3]);
        var error = Assert.Throws<CorruptModelException>(() => ShapePredictor.Load(path));
        Assert.Contains("after the model", error.Message);
    }

    [Fact]
    public void Garbage_onnx_is_reported_as_corrupt_with_its_path()
    {
        var path = Path.Combine(folder, "face_detection_yunet.onnx");
        File.WriteAllText(path, "this is not an onnx model");
        var error = Assert.Throws<CorruptModelException>(() => YuNetFaceDetector.Create(path));
        Assert.Equal(path, error.FilePath);
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void Garbage_haar_cascade_is_reported_as_corrupt_with_its_path()
    {
        var path = Path.Combine(folder, "cascade.xml");
        File.WriteAllText(path, "<opencv_storage><nothing/></opencv_storage>");
        var error = Assert.Throws<CorruptModelException>(() => HaarFaceDetector.Create(path));
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void Missing_yunet_model_names_the_install_command()
    {
        var path = Path.Combine(folder, "absent.onnx");
        var error = Assert.Throws<ModelNotFoundException>(() => YuNetFaceDetector.Create(path));
        Assert.Contains(path, error.Message);
        Assert.Contains(ModelNotFoundException.InstallCommand, error.Message);
    }

    [Fact]
    public void Validate_lists_every_missing_model()
    {
        var options = new AuModelOptions
        {
            ModelsDirectory = folder,
            LandmarkModelPath = "shape_predictor_68_face_landmarks.dat",
            HaarCascadePath = "haarcascade_frontalface_default.xml",
        };
        var error = Assert.Throws<ModelNotFoundException>(() => options.Validate());
        Assert.Equal(
            [
                Path.Combine(folder, AuModelOptions.YuNetFileName),
                Path.Combine(folder, "haarcascade_frontalface_default.xml"),
                Path.Combine(folder, "shape_predictor_68_face_landmarks.dat"),
                Path.Combine(folder, "openface", "AU_predictors", "AU_all_best.txt"),
                Path.Combine(folder, "openface", "AU_predictors", "AU_all_static.txt"),
                Path.Combine(folder, "openface", "clnf", "model", "main_clnf_general.txt"),
                Path.Combine(folder, "openface", "In-the-wild_aligned_PDM_68.txt"),
                Path.Combine(folder, "openface", "tris_68_full.txt"),
            ],
            error.Missing.Select(m => m.Path));
        Assert.Contains("merfactory models install", error.Message);
        Assert.Contains(Path.Combine(folder, "openface", "tris_68_full.txt"), error.Message);
    }

    [Fact]
    public void Validate_accepts_the_shared_data_layout_and_the_debian_paths()
    {
        var options = new AuModelOptions
        {
            ModelsDirectory = SharedData.Data,
            YuNetModelPath = Path.Combine("models", AuModelOptions.YuNetFileName),
        };
        options.Validate();
        Assert.Equal(AuModelOptions.DebianLandmarkModel, options.ResolvedLandmarkModelPath);
        Assert.Equal(SharedData.DataPath("openface", "AU_predictors"), options.ResolvedAuPredictorsDirectory);
    }

    [Fact]
    public void Validate_only_checks_the_requested_parts()
    {
        var options = new AuModelOptions { ModelsDirectory = folder };
        options.Validate(AuModelParts.Landmarks | AuModelParts.FaceDetector); // Debian landmark model + Haar fallback
        Assert.Throws<ModelNotFoundException>(() => options.Validate(AuModelParts.Pdm));
    }

    [Fact]
    public void Factory_falls_back_to_haar_when_yunet_is_not_installed()
    {
        var withYuNet = new AuModelOptions { ModelsDirectory = SharedData.DataPath("models") };
        using (var detector = FaceDetectorFactory.Create(withYuNet)) Assert.Equal("YuNet", detector.Name);

        var withoutYuNet = new AuModelOptions { ModelsDirectory = folder };
        using (var detector = FaceDetectorFactory.Create(withoutYuNet)) Assert.Equal("Haar", detector.Name);

        var withNothing = new AuModelOptions { ModelsDirectory = folder, HaarCascadePath = "none.xml" };
        var error = Assert.Throws<ModelNotFoundException>(() => FaceDetectorFactory.Create(withNothing));
        Assert.Equal(2, error.Missing.Count);
    }
}
