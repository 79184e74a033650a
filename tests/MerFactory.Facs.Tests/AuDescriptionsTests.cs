using MerFactory.Facs.Analysis;
using MerFactory.Facs.OpenFace;

namespace MerFactory.Facs.Tests;

public class AuDescriptionsTests
{
    [Fact]
    public void Active_aus_are_strictly_above_the_threshold_in_column_order()
    {
        var table = new TableBuilder().Row(new() { ["AU26_r"] = 2.08, ["AU25_r"] = 1.94, ["AU12_r"] = 0.8, ["AU01_r"] = 0.81 }).Build();
        var active = AuDescriptions.ActiveAus(table, 0);
        Assert.Equal(["AU01_r", "AU25_r", "AU26_r"], active.Select(a => a.Key));
        Assert.Equal("Inner brow raiser (intensity: 0.81), Lips part (intensity: 1.94), Jaw drop (intensity: 2.08)", AuDescriptions.Describe(active));
    }

    [Fact]
    public void Nothing_active_is_a_neutral_expression()
    {
        var table = new TableBuilder().Row(new() { ["AU12_r"] = 0.8 }).Build();
        Assert.Equal("Neutral expression.", AuDescriptions.Describe(AuDescriptions.ActiveAus(table, 0)));
    }

    [Fact]
    public void Columns_without_a_text_are_not_reported()
    {
        var layout = new OpenFaceLayout(["AU12_r", "AU99_r", "pose_r"], ["AU12_c"]);
        var table = new TableBuilder(layout).Row(new() { ["AU12_r"] = 1, ["AU99_r"] = 4, ["pose_r"] = 4 }).Build();
        Assert.Equal(["AU12_r"], AuDescriptions.ActiveAus(table, 0).Select(a => a.Key));
    }

    [Fact]
    public void Texts_cover_the_seventeen_openface_intensities_and_au28()
    {
        Assert.All(OpenFaceAus.IntensityColumns, c => Assert.True(AuDescriptions.Texts.ContainsKey(c)));
        Assert.Equal("Lip corner puller (smile)", AuDescriptions.Texts["AU12_r"]);
        Assert.Equal("Lip suck", AuDescriptions.Texts["AU28_r"]);
        Assert.Equal(18, AuDescriptions.Texts.Count);
    }

    [Fact]
    public void Intensities_are_rounded_as_python()
    {
        var table = new TableBuilder().Row(new() { ["AU06_r"] = 2.675, ["AU07_r"] = 1.125 }).Build();
        Assert.Equal("Cheek raiser (intensity: 2.67), Lid tightener (intensity: 1.12)", AuDescriptions.Describe(AuDescriptions.ActiveAus(table, 0)));
    }
}
