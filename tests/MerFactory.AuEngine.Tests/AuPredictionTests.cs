using MerFactory.AuEngine.Alignment;
using MerFactory.AuEngine.Prediction;
using MerFactory.Testing;
using Xunit.Abstractions;

namespace MerFactory.AuEngine.Tests;

public class AuPredictionTests(ITestOutputHelper output)
{
    internal static readonly Lazy<PointDistributionModel> Pdm = new(() =>
        PointDistributionModel.Load(SharedData.DataPath("openface", "In-the-wild_aligned_PDM_68.txt")));
    internal static readonly Lazy<AuModelSet> VideoModels = new(() =>
        AuModelSet.Load(SharedData.DataPath("openface", "AU_predictors", "AU_all_best.txt"), 4702));

    [Fact]
    public void Model_lists_load_with_OpenFace_columns()
    {
        var models = VideoModels.Value;
        Assert.Equal(35, models.Models.Count);
        Assert.Equal(["AU01", "AU02", "AU04", "AU05", "AU06", "AU07", "AU09", "AU10", "AU12", "AU14", "AU15", "AU17", "AU20", "AU23", "AU25", "AU26", "AU45"], models.IntensityNames);
        Assert.Equal(18, models.PresenceNames.Count);
        Assert.Contains("AU28", models.PresenceNames);
        var au01 = models.Models.Single(m => m.AuName == "AU01" && !m.IsPresence);
        Assert.Equal(AuModelKind.DynamicIntensity, au01.Kind);
        Assert.Equal(0.5, au01.Cutoff);
        var statics = AuModelSet.Load(SharedData.DataPath("openface", "AU_predictors", "AU_all_static.txt"), 4702);
        Assert.False(statics.HasDynamicModels);
    }

    [Fact]
    public void Reference_hog_and_pdm_params_reproduce_OpenFace_AUs()
    {
        // Feeding OpenFace's own HOG and CLNF parameters isolates the prediction, median and post-processing stages.
        var csv = new ReferenceCsv(SharedData.DataPath("reference", "single_face_openface2017.csv"));
        var hog = FhogTests.ReadOpenFaceHog(SharedData.DataPath("reference", "single_face.hog"));
        var models = VideoModels.Value;
        var analyser = new AuTrackAnalyser(models, 4464, 238);
        var geom = new double[238];
        for (var row = 0; row < csv.Rows.Count; row++)
        {
            var local = Enumerable.Range(0, 34).Select(k => csv.Get(row, $"p_{k}")).ToArray();
            Pdm.Value.GeometryFeatures(local, geom);
            analyser.AddFrame(hog[row], geom, csv.Get(row, "success") > 0);
        }
        var result = analyser.Finish();
        var worst = 0.0;
        string worstAu = "";
        for (var a = 0; a < models.IntensityNames.Count; a++)
        {
            var name = models.IntensityNames[a] + "_r";
            for (var row = 0; row < csv.Rows.Count; row++)
            {
                var diff = Math.Abs(result.Intensities[row][a] - csv.Get(row, name));
                if (diff > worst) (worst, worstAu) = (diff, $"{name} frame {row + 1}");
            }
        }
        var classMismatch = 0;
        for (var a = 0; a < models.PresenceNames.Count; a++)
            for (var row = 0; row < csv.Rows.Count; row++)
                if (result.Presence[row][a] != csv.Get(row, models.PresenceNames[a] + "_c")) classMismatch++;
        output.WriteLine($"worst |AU_r diff| {worst:g4} at {worstAu}; AU_c mismatches {classMismatch}");
        Assert.True(worst < 0.02, $"worst |AU_r diff| {worst:g4} at {worstAu}");
        Assert.True(classMismatch <= 2, $"AU_c mismatches {classMismatch}");
    }

    [Fact]
    public void Histogram_median_follows_OpenFace_binning()
    {
        var median = new HistogramMedian(1, 10, 0, 10, clampNegativeToZero: false);
        median.Update([3.2], true);
        Assert.Equal(3.2, median.Median[0]); // one sample: the value itself
        median.Update([7.9], true);
        median.Update([5.5], true);
        Assert.Equal(5.5, median.Median[0]); // bin 5 centre
        median.Update([100], true);           // clamped into the top bin
        Assert.Equal(5.5, median.Median[0]);  // cutoff (4+1)/2 = 2 -> second sample in bin order
    }

    [Fact]
    public void Postprocessing_offsets_clips_and_smooths()
    {
        double[] raw = [1, 2, 3, 4, 10, -1];
        bool[] ok = [true, true, true, true, true, false];
        var result = AuPostprocessing.Intensity(raw, ok, 0.5);
        // valid sorted 1,2,3,4,10 -> offset = sorted[(int)(5*0.5)] = 3 -> 0,0,0,1,5(clip),0(failed)
        Assert.Equal([0, 0, Math.Round(1 / 3.0, 9), 2, 2, 0], result.Select(v => Math.Round(v, 9)).ToArray());
        var presence = AuPostprocessing.Presence([1, 0, 1, 1, 0, 1, 1, 0, 0]);
        Assert.Equal([1, 0, 1, 1, 1, 1, 1, 0, 0], presence);
    }
}
