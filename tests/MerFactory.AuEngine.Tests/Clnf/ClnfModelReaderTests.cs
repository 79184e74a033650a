using MerFactory.AuEngine.Clnf;
using MerFactory.AuEngine.Models;
using Xunit.Abstractions;

namespace MerFactory.AuEngine.Tests.Clnf;

/// <summary>Issue 19, point 1: the CLNF model files read completely and hold what OpenFace's reader expects.</summary>
public sealed class ClnfModelReaderTests(ITestOutputHelper output)
{
    [Fact]
    public void Main_model_has_68_points_three_scales_of_seven_views_and_the_inner_and_eye_parts()
    {
        var model = ClnfTestData.Model;
        Assert.Equal(68, model.Main.Pdm.PointCount);
        Assert.Equal(34, model.Main.Pdm.ModeCount);
        Assert.Equal([0.25, 0.35, 0.5], model.Main.Scales.Select(s => s.PatchScaling));
        foreach (var scale in model.Main.Scales)
        {
            Assert.Equal(7, scale.ViewCount);
            Assert.All(scale.Experts, view => Assert.Equal(68, view.Length));
            // Frontal view sees every landmark; the profile views do not.
            Assert.All(scale.Visibility[0], Assert.True);
            Assert.Contains(scale.Visibility.Skip(1), v => v.Any(b => !b));
            // Invisible landmarks have empty experts, visible ones have neurons, 11x11 templates and a confidence.
            for (var v = 0; v < scale.ViewCount; v++)
            for (var p = 0; p < 68; p++)
            {
                var expert = scale.Experts[v][p];
                if (!scale.Visibility[v][p]) continue;
                Assert.Equal(11, expert.Width);
                Assert.Equal(11, expert.Height);
                Assert.True(expert.ActiveNeuronCount > 0);
                Assert.True(expert.Confidence > 0);
            }
            Assert.Contains(11, scale.WindowSizes);
            Assert.Contains(9, scale.WindowSizes);
            Assert.Contains(7, scale.WindowSizes);
        }
        Assert.Equal(0.0, model.Main.Scales[0].ViewCentres[0].Sum(Math.Abs), 6);
        Assert.Contains(model.Main.Scales[0].ViewCentres, c => Math.Abs(Math.Abs(c[1]) - 70 * Math.PI / 180) < 1e-6);

        var names = model.Parts.Select(p => p.Name).ToList();
        Assert.Equal(["inner", "left_eye_28", "right_eye_28"], names);
        var inner = model.Parts[0];
        Assert.Equal(51, inner.Model.Pdm.PointCount);
        Assert.Equal(51, inner.Mapping.Count);
        Assert.Equal((17, 0), inner.Mapping[0]);
        Assert.All(model.Parts.Skip(1), eye =>
        {
            Assert.Equal(28, eye.Model.Pdm.PointCount);
            Assert.Equal(6, eye.Mapping.Count);
            Assert.Equal([1.0, 1.5], eye.Model.Scales.Select(s => s.PatchScaling));
        });
        Assert.Equal(new[] { 0.055858, 0.229781, 0.871248, 0.892778 }, model.HaarAlign![8..]);
        output.WriteLine($"neurons per expert (frontal, scale 0.25): {string.Join(",", model.Main.Scales[0].Experts[0].Take(10).Select(e => e.ActiveNeuronCount))}");
    }

    [Fact]
    public void A_truncated_patch_expert_or_validator_file_is_reported_as_corrupt_and_a_missing_one_names_the_install_command()
    {
        var dir = Directory.CreateTempSubdirectory("clnf-corrupt");
        try
        {
            foreach (var file in Directory.EnumerateFiles(ClnfTestData.ModelDirectory, "*", SearchOption.AllDirectories))
            {
                var target = Path.Combine(dir.FullName, Path.GetRelativePath(ClnfTestData.ModelDirectory, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }
            var patches = Path.Combine(dir.FullName, "patch_experts", "ccnf_patches_0.35_general.txt");
            var bytes = File.ReadAllBytes(patches);
            File.WriteAllBytes(patches, bytes[..(bytes.Length / 2)]);
            var corrupt = Assert.Throws<CorruptModelException>(() => ClnfModel.Load(Path.Combine(dir.FullName, ClnfModel.MainFileName)));
            Assert.Contains("truncated", corrupt.Message);

            File.Delete(patches);
            var missing = Assert.Throws<ModelNotFoundException>(() => ClnfModel.Load(Path.Combine(dir.FullName, ClnfModel.MainFileName)));
            Assert.Contains($"{ModelNotFoundException.InstallCommand} {ClnfModel.InstallName}", missing.Message);

            // The detection validator likewise: truncated is corrupt (named), missing names the install command.
            File.Copy(Path.Combine(ClnfTestData.ModelDirectory, "patch_experts", "ccnf_patches_0.35_general.txt"), patches);
            var validator = Path.Combine(dir.FullName, "detection_validation", DetectionValidator.FileName);
            var validatorBytes = File.ReadAllBytes(validator);
            File.WriteAllBytes(validator, validatorBytes[..(validatorBytes.Length - 100)]);
            var corruptValidator = Assert.Throws<CorruptModelException>(() => ClnfModel.Load(Path.Combine(dir.FullName, ClnfModel.MainFileName)));
            Assert.Contains(DetectionValidator.FileName, corruptValidator.Message);
            File.Delete(validator);
            var missingValidator = Assert.Throws<ModelNotFoundException>(() => ClnfModel.Load(Path.Combine(dir.FullName, ClnfModel.MainFileName)));
            Assert.Contains($"{ModelNotFoundException.InstallCommand} {ClnfModel.InstallName}", missingValidator.Message);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
