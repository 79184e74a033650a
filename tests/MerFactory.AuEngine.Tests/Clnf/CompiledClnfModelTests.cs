using MerFactory.AuEngine.Clnf;
using MerFactory.AuEngine.Models;
using MerFactory.Testing;
using System.Runtime.Versioning;
using OpenCvSharp;
using Xunit.Abstractions;

namespace MerFactory.AuEngine.Tests.Clnf;

/// <summary>
/// Issue 19, point 5: the CLNF model is parsed once into a compiled, checksummed, versioned file and started from
/// that (memory-mapped); a corrupt or stale file is rebuilt from the text, and a missing text model names the install command.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class CompiledClnfModelTests(ITestOutputHelper output) : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("clnf-compiled");

    private string CompiledPath => Path.Combine(_work.FullName, "compiled", "openface-clnf.mfmodel");

    [Fact]
    public void The_compiled_model_round_trips_to_the_same_bytes_and_fits_the_same_landmarks_as_the_text_model()
    {
        var first = ClnfModel.LoadCompiled(ClnfTestData.MainModelPath, CompiledPath);
        Assert.Equal(CompiledModelOutcome.Compiled, first.Outcome);
        var second = ClnfModel.LoadCompiled(ClnfTestData.MainModelPath, CompiledPath);
        Assert.Equal(CompiledModelOutcome.Loaded, second.Outcome);
        Assert.Null(second.Reason);

        // Everything the compiled form holds survives a write and a read: writing the loaded model again gives the same bytes.
        var again = Path.Combine(_work.FullName, "again.mfmodel");
        var sources = ModelSource.Fingerprint([ClnfTestData.ModelDirectory]);
        CompiledModelFile.Write(again, ClnfModel.CompiledKind, ClnfModel.CompiledVersion, sources, w => second.Model.WriteTo(w));
        Assert.Equal(File.ReadAllBytes(CompiledPath), File.ReadAllBytes(again));

        // And nothing the fit uses is left out: the compiled model fits exactly the landmarks the text model fits.
        var text = FitFirstFrame(ClnfTestData.Model);
        var compiled = FitFirstFrame(second.Model);
        Assert.Equal(text, compiled);
        output.WriteLine($"compiled model: {new FileInfo(CompiledPath).Length / 1024} KiB; landmark 30 at ({compiled[30]:F2}, {compiled[98]:F2})");
    }

    [Fact]
    public void A_corrupt_compiled_model_is_detected_and_rebuilt_from_the_text()
    {
        ClnfModel.LoadCompiled(ClnfTestData.MainModelPath, CompiledPath);
        var bytes = File.ReadAllBytes(CompiledPath);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(CompiledPath, bytes);

        var rebuilt = ClnfModel.LoadCompiled(ClnfTestData.MainModelPath, CompiledPath);
        Assert.Equal(CompiledModelOutcome.Rebuilt, rebuilt.Outcome);
        Assert.Contains("checksum mismatch", rebuilt.Reason);
        Assert.Equal(CompiledModelOutcome.Loaded, ClnfModel.LoadCompiled(ClnfTestData.MainModelPath, CompiledPath).Outcome);

        // A file of another format version (or not a compiled model at all) is rebuilt the same way.
        bytes = File.ReadAllBytes(CompiledPath);
        bytes[8] = 99;
        File.WriteAllBytes(CompiledPath, bytes);
        var otherVersion = ClnfModel.LoadCompiled(ClnfTestData.MainModelPath, CompiledPath);
        Assert.Equal(CompiledModelOutcome.Rebuilt, otherVersion.Outcome);
        Assert.Contains("format 99", otherVersion.Reason);
        File.WriteAllBytes(CompiledPath, bytes[..10]);
        Assert.Equal(CompiledModelOutcome.Rebuilt, ClnfModel.LoadCompiled(ClnfTestData.MainModelPath, CompiledPath).Outcome);
    }

    [Fact]
    public void A_stale_compiled_model_is_rebuilt_and_a_missing_text_model_names_the_install_command()
    {
        var models = CopyModel();
        var main = Path.Combine(models, ClnfModel.MainFileName);
        Assert.Equal(CompiledModelOutcome.Compiled, ClnfModel.LoadCompiled(main, CompiledPath).Outcome);

        // A model file changed after compiling (here: only its time) makes the compiled form stale.
        var pdm = Path.Combine(models, "pdms", "In-the-wild_aligned_PDM_68.txt");
        File.SetLastWriteTimeUtc(pdm, DateTime.UtcNow.AddMinutes(1));
        var stale = ClnfModel.LoadCompiled(main, CompiledPath);
        Assert.Equal(CompiledModelOutcome.Rebuilt, stale.Outcome);
        Assert.Contains("out of date", stale.Reason);
        Assert.Contains("In-the-wild_aligned_PDM_68.txt", stale.Reason);

        // Without the text a valid compiled form is not used: the text is the model, the compiled file only its cache.
        File.Delete(pdm);
        var missingPart = Assert.Throws<ModelNotFoundException>(() => ClnfModel.LoadCompiled(main, CompiledPath));
        Assert.Contains("merfactory models install openface-clnf", missingPart.Message);
        File.Delete(main);
        var missingMain = Assert.Throws<ModelNotFoundException>(() => ClnfModel.LoadCompiled(main, CompiledPath));
        Assert.Contains("merfactory models install openface-clnf", missingMain.Message);
    }

    [Fact]
    public void Compiled_models_go_beside_writable_models_and_to_the_user_cache_for_read_only_ones()
    {
        var writable = Path.Combine(_work.FullName, "models");
        Directory.CreateDirectory(writable);
        var main = Path.Combine(writable, "openface", "clnf", "model", ClnfModel.MainFileName);
        var beside = CompiledModelCache.PathFor(ClnfModel.CompiledKind, main, writable, null);
        Assert.StartsWith(Path.Combine(writable, "compiled") + Path.DirectorySeparatorChar, beside);

        var readOnly = Path.Combine(_work.FullName, "read-only");
        Directory.CreateDirectory(readOnly);
        File.SetUnixFileMode(readOnly, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        var cached = CompiledModelCache.PathFor(ClnfModel.CompiledKind, Path.Combine(readOnly, ClnfModel.MainFileName), readOnly, null);
        Assert.StartsWith(CompiledModelCache.UserCacheDirectory, cached);
        File.SetUnixFileMode(readOnly, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        // Models from different places never share a compiled file; a chosen folder wins.
        Assert.NotEqual(cached, CompiledModelCache.PathFor(ClnfModel.CompiledKind, main, readOnly, null));
        Assert.StartsWith(_work.FullName, CompiledModelCache.PathFor(ClnfModel.CompiledKind, main, readOnly, _work.FullName));
    }

    private static double[] FitFirstFrame(ClnfModel model)
    {
        using var frame = Cv2.ImRead(SharedData.DataPath("media", "pyfeat", "single_face.jpg"));
        var detector = new ClnfLandmarkDetector(model);
        // A box around the face of the sample picture; the comparison needs the same start, not a perfect one.
        detector.Initialise(frame.Width * 0.3, frame.Height * 0.2, frame.Width * 0.4, frame.Height * 0.5);
        detector.Fit(GrayImage.FromMat(frame), model.Parameters.WindowsInit);
        return (double[])detector.Landmarks.Clone();
    }

    private string CopyModel()
    {
        var target = Path.Combine(_work.FullName, "model");
        foreach (var file in Directory.EnumerateFiles(ClnfTestData.ModelDirectory, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(target, Path.GetRelativePath(ClnfTestData.ModelDirectory, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
            File.SetUnixFileMode(copy, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return target;
    }

    public void Dispose() => _work.Delete(recursive: true);
}
