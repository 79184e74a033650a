using System.Globalization;
using System.Text.RegularExpressions;
using MerFactory.Facs.Analysis;
using MerFactory.Facs.Formatting;
using MerFactory.Facs.OpenFace;
using MerFactory.Facs.Peaks;
using MerFactory.Testing;
using Xunit.Abstractions;

namespace MerFactory.Facs.Tests;

/// <summary>
/// The whole analysis on OpenFace's own CSVs. Expected values come from MER-Factory's FacialAnalyzer logic run in
/// Python (pandas 1.5, scipy 1.10) on the same files; the structural checks hold whatever the data.
/// </summary>
public partial class ReferenceAnalysisTests(ITestOutputHelper output)
{
    [GeneratedRegex(@"^Peak at (\d+\.\d\d)s: (.+)$")]
    private static partial Regex PeakText();

    [Fact]
    public void Default_wmv_reference_csv_gives_mer_factorys_result()
    {
        var table = OpenFaceCsv.Read(SharedData.DataPath("reference", "default_openface2017.csv"));
        var result = FacialAnalysis.Analyze(table);

        foreach (var line in result.ChronologicalEmotionPeaks) output.WriteLine(line);
        output.WriteLine(result.OverallPeakAuDescription);
        output.WriteLine(PythonJson.Serialize(result.OverallPeak!.ToPythonJson()));

        Assert.Equal([20, 51, 78, 97, 114, 136, 153, 168, 184, 221, 238, 257, 282], result.PeakRows);
        Assert.Equal(
            ["Peak at 15.87s: happy (moderate), contempt (slight)", "Peak at 17.13s: happy (slight), contempt (slight)"],
            result.ChronologicalEmotionPeaks);
        Assert.Equal(
            "Cheek raiser (intensity: 0.90), Upper lip raiser (intensity: 1.08), Lip corner puller (smile) (intensity: 1.89), Lips part (intensity: 2.95), Jaw drop (intensity: 2.32)",
            result.OverallPeakAuDescription);
        Assert.Equal("""
            {
                "frame_number": 258,
                "timestamp": 17.1333,
                "top_aus_intensities": {
                    "AU06_r": 0.9041,
                    "AU10_r": 1.076,
                    "AU12_r": 1.892,
                    "AU25_r": 2.952,
                    "AU26_r": 2.322
                }
            }
            """, PythonJson.Serialize(result.OverallPeak.ToPythonJson()));

        AssertInternallyConsistent(table, result, threshold: 0.8, distance: 15);
    }

    [Fact]
    public void Default_wmv_reference_csv_with_lower_threshold_and_distance()
    {
        var table = OpenFaceCsv.Read(SharedData.DataPath("reference", "default_openface2017.csv"));
        var result = FacialAnalysis.Analyze(table, new FacialAnalysisOptions { Threshold = 0.5, PeakDistanceFrames = 8 });

        Assert.Equal([11, 20, 32, 51, 67, 78, 92, 101, 114, 133, 141, 153, 166, 175, 184, 197, 211, 221, 238, 246, 257, 282], result.PeakRows);
        Assert.Equal(
            [
                "Peak at 15.87s: happy (strong), contempt (moderate)",
                "Peak at 16.40s: happy (moderate), contempt (moderate)",
                "Peak at 17.13s: happy (moderate), contempt (slight), surprise (slight)",
            ],
            result.ChronologicalEmotionPeaks);
        AssertInternallyConsistent(table, result, threshold: 0.5, distance: 8);
    }

    [Fact]
    public void Single_face_reference_csv_gives_mer_factorys_result()
    {
        var table = OpenFaceCsv.Read(SharedData.DataPath("reference", "single_face_openface2017.csv"));
        var result = FacialAnalysis.Analyze(table);

        Assert.Equal([7, 27, 43, 60], result.PeakRows);
        Assert.Equal(
            [
                "Peak at 0.90s: happy (moderate), contempt (moderate)",
                "Peak at 1.43s: happy (moderate), contempt (moderate)",
                "Peak at 2.00s: happy (moderate), contempt (moderate)",
            ],
            result.ChronologicalEmotionPeaks);
        Assert.Equal(28, result.OverallPeak!.FrameNumber);
        Assert.Equal(0.9, result.OverallPeak.Timestamp);
        AssertInternallyConsistent(table, result, threshold: 0.8, distance: 15);

        var document = AuAnalysisDocument.From("/abs/single_face.mp4", result);
        Assert.StartsWith("{\n    \"source_path\": \"/abs/single_face.mp4\",\n    \"chronological_emotion_peaks\": [\n        \"Peak at 0.90s:", document.ToJson());
    }

    [Fact]
    public void Pyfeat_openface_csv_has_peaks_but_no_emotion()
    {
        var table = OpenFaceCsv.Read(SharedData.DataPath("media", "pyfeat", "OpenFace_Test.csv"));
        var result = FacialAnalysis.Analyze(table);

        Assert.Equal([12, 32, 54, 84], result.PeakRows);
        Assert.Equal(["neutral"], result.ChronologicalEmotionPeaks);
        Assert.False(result.IsExpressive);
        Assert.Equal("Outer brow raiser (intensity: 1.08)", result.OverallPeakAuDescription);
        Assert.Equal(13, result.OverallPeak!.FrameNumber);
        AssertInternallyConsistent(table, result, threshold: 0.8, distance: 15);
    }

    /// <summary>Checks that hold for any table: peak contract, texts vs. rows, rules vs. AU values, overall peak.</summary>
    private static void AssertInternallyConsistent(OpenFaceTable table, FacialAnalysisResult result, double threshold, int distance)
    {
        var overall = result.OverallIntensity;
        Assert.Equal(table.Count, overall.Length);
        for (var row = 0; row < table.Count; row++) Assert.Equal(table.Frames[row].Intensities.Sum(), overall[row], 9);

        // find_peaks contract: each peak is a local maximum (or plateau middle) ≥ height, kept peaks are ≥ distance apart,
        // and every local maximum dropped for distance has a kept peak at least as high closer than distance.
        var candidates = PeakFinder.LocalMaxima(overall).Where(p => overall[p] >= threshold).ToList();
        Assert.Subset(candidates.ToHashSet(), result.PeakRows.ToHashSet());
        foreach (var peak in result.PeakRows)
        {
            Assert.InRange(peak, 1, overall.Length - 2);
            Assert.True(overall[peak - 1] < overall[peak] || overall[peak - 1] == overall[peak]);
            Assert.True(overall[peak] >= overall[peak + 1]);
            Assert.True(overall[peak] >= threshold);
        }

        Assert.All(result.PeakRows.Zip(result.PeakRows.Skip(1)), pair => Assert.True(pair.Second - pair.First >= distance));
        foreach (var dropped in candidates.Except(result.PeakRows))
        {
            Assert.Contains(result.PeakRows, kept => Math.Abs(kept - dropped) < distance && overall[kept] >= overall[dropped]);
        }

        // Every text belongs to a reported peak, in time order, with that row's timestamp and rule-valid emotions.
        Assert.Equal(result.EmotionPeaks.Select(p => p.Text), result.IsExpressive ? result.ChronologicalEmotionPeaks : []);
        Assert.Equal(result.EmotionPeaks.Select(p => p.Row).Order(), result.EmotionPeaks.Select(p => p.Row));
        foreach (var peak in result.EmotionPeaks)
        {
            Assert.Contains(peak.Row, result.PeakRows);
            var frame = table.Frames[peak.Row];
            var match = PeakText().Match(peak.Text);
            Assert.True(match.Success, peak.Text);
            Assert.Equal(frame.Timestamp, double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), 0.005 + 1e-9);
            Assert.Equal(peak.Emotions.Select(e => e.Score).OrderDescending(), peak.Emotions.Select(e => e.Score));

            foreach (var emotion in peak.Emotions)
            {
                var rule = EmotionRules.Table.Single(r => r.Emotion == emotion.Emotion);
                var present = rule.Aus.Count(au => table.Presence(peak.Row, au + "_c") == 1);
                Assert.True(present >= rule.Aus.Count / 2.0);
                var intensities = rule.Aus.Select(au => table.Intensity(peak.Row, au + "_r")).OfType<double>().ToList();
                Assert.Equal(intensities.Average(), emotion.Score, 12);
                Assert.True(emotion.Score >= threshold);
            }
        }

        // Peaks where no rule fired are not reported.
        foreach (var silent in result.PeakRows.Except(result.EmotionPeaks.Select(p => p.Row)))
        {
            Assert.Empty(EmotionRules.AnalyzeAtPeak(table, silent, threshold));
        }

        var best = result.OverallPeak!;
        Assert.Equal(overall.Max(), overall[best.Row]);
        Assert.Equal(Array.IndexOf(overall, overall.Max()), best.Row);
        Assert.Equal(table.Frames[best.Row].Frame, best.FrameNumber);
        Assert.Equal(table.Frames[best.Row].Timestamp, best.Timestamp);
        Assert.All(best.TopAusIntensities, au => Assert.True(au.Value > 0.8));
    }
}
