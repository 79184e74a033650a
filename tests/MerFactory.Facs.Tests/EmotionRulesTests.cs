using MerFactory.Facs.Analysis;
using MerFactory.Facs.OpenFace;

namespace MerFactory.Facs.Tests;

public class EmotionRulesTests
{
    private static IReadOnlyList<EmotionScore> Analyze(Dictionary<string, double> values, double threshold = 0.8, OpenFaceLayout? layout = null) =>
        EmotionRules.AnalyzeAtPeak(new TableBuilder(layout).Row(values).Build(), 0, threshold);

    [Fact]
    public void Table_is_mer_factorys_eight_rules_in_order()
    {
        Assert.Equal(["happy", "sad", "surprise", "fear", "angry", "contempt", "worried", "disgust"], EmotionRules.Table.Select(r => r.Emotion));
        Assert.Equal(["AU01", "AU02", "AU04", "AU05", "AU07", "AU20", "AU26"], EmotionRules.Table.Single(r => r.Emotion == "fear").Aus);
        Assert.Equal(["AU04", "AU05", "AU07", "AU23", "AU10", "AU17"], EmotionRules.Table.Single(r => r.Emotion == "angry").Aus);
    }

    [Fact]
    public void Happy_needs_two_of_three_present_and_scores_the_mean_of_all_three_intensities()
    {
        var values = new Dictionary<string, double> { ["AU06_c"] = 1, ["AU12_c"] = 1, ["AU06_r"] = 2, ["AU12_r"] = 2, ["AU14_r"] = 0.5 };
        var happy = Assert.Single(Analyze(values));
        Assert.Equal("happy", happy.Emotion);
        Assert.Equal((2 + 2 + 0.5) / 3, happy.Score);
        Assert.Equal(EmotionStrength.Slight, happy.Strength);

        values["AU12_c"] = 0; // one of three present: below half
        Assert.Empty(Analyze(values));
    }

    [Fact]
    public void Fear_needs_four_of_seven_present()
    {
        var values = new Dictionary<string, double>
        {
            ["AU01_c"] = 1, ["AU02_c"] = 1, ["AU04_c"] = 1,
            ["AU01_r"] = 3, ["AU02_r"] = 3, ["AU04_r"] = 3, ["AU05_r"] = 3, ["AU07_r"] = 3, ["AU20_r"] = 3, ["AU26_r"] = 3,
        };
        Assert.DoesNotContain(Analyze(values), e => e.Emotion == "fear");
        values["AU05_c"] = 1;
        Assert.Contains(Analyze(values), e => e.Emotion == "fear" && e.Score == 3);
    }

    [Fact]
    public void Worried_counts_AU28_presence_and_scores_AU20_intensity_alone()
    {
        var worried = Assert.Single(Analyze(new() { ["AU28_c"] = 1, ["AU20_r"] = 1.7 }));
        Assert.Equal("worried", worried.Emotion);
        Assert.Equal(1.7, worried.Score);
        Assert.Equal(EmotionStrength.Moderate, worried.Strength);
    }

    [Fact]
    public void A_rule_whose_presence_column_is_missing_is_skipped()
    {
        // Same AU values, but a CSV without AU28_c: worried can no longer fire even though AU20 is present.
        var noAu28 = new OpenFaceLayout(OpenFaceAus.IntensityColumns, OpenFaceAus.PresenceColumns.Where(c => c != "AU28_c").ToList());
        var values = new Dictionary<string, double> { ["AU20_c"] = 1, ["AU20_r"] = 2 };
        Assert.Contains(Analyze(values), e => e.Emotion == "worried");
        Assert.DoesNotContain(Analyze(values, layout: noAu28), e => e.Emotion == "worried");
    }

    [Fact]
    public void Only_existing_intensity_columns_enter_the_mean()
    {
        var noAu15r = new OpenFaceLayout(OpenFaceAus.IntensityColumns.Where(c => c != "AU15_r").ToList(), OpenFaceAus.PresenceColumns);
        var disgust = Assert.Single(Analyze(new() { ["AU09_c"] = 1, ["AU09_r"] = 1.2, ["AU15_r"] = 0 }, layout: noAu15r));
        Assert.Equal(1.2, disgust.Score); // AU09_r alone, not (1.2 + 0) / 2
    }

    [Theory]
    [InlineData(0.79, null)]
    [InlineData(0.8, EmotionStrength.Slight)]
    [InlineData(1.59, EmotionStrength.Slight)]
    [InlineData(1.6, EmotionStrength.Moderate)]
    // 0.8 * 3 is 2.4000000000000004 in binary, so a score of 2.4 is still moderate, exactly as in Python.
    [InlineData(2.4, EmotionStrength.Moderate)]
    [InlineData(2.41, EmotionStrength.Strong)]
    [InlineData(5, EmotionStrength.Strong)]
    public void Strength_bands_follow_the_threshold(double score, EmotionStrength? expected)
    {
        var found = Analyze(new() { ["AU28_c"] = 1, ["AU20_r"] = score });
        if (expected is null)
        {
            Assert.Empty(found);
        }
        else
        {
            Assert.Equal(expected, Assert.Single(found).Strength);
        }
    }

    [Fact]
    public void Strength_bands_scale_with_another_threshold()
    {
        Assert.Equal(EmotionStrength.Strong, EmotionRules.StrengthOf(1.5, 0.5));
        Assert.Equal(EmotionStrength.Moderate, EmotionRules.StrengthOf(1.0, 0.5));
        Assert.Equal(EmotionStrength.Slight, EmotionRules.StrengthOf(0.99, 0.5));
        Assert.Equal("moderate", new EmotionScore("sad", 1, EmotionStrength.Moderate).StrengthName);
        Assert.Equal("sad (moderate)", new EmotionScore("sad", 1, EmotionStrength.Moderate).ToString());
    }

    [Fact]
    public void Several_emotions_can_fire_at_one_peak_in_table_order()
    {
        var values = new Dictionary<string, double>
        {
            ["AU06_c"] = 1, ["AU12_c"] = 1, ["AU06_r"] = 1, ["AU12_r"] = 1, ["AU14_r"] = 1,   // happy 1.0
            ["AU09_c"] = 1, ["AU09_r"] = 3, ["AU15_r"] = 1,                                   // disgust 2.0
        };
        Assert.Equal(["happy", "disgust"], Analyze(values).Select(e => e.Emotion));
    }
}
