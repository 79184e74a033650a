using MerFactory.Facs.Analysis;
using MerFactory.Facs.OpenFace;

namespace MerFactory.Facs.Tests;

public class FacialAnalysisTests
{
    private static Dictionary<string, double> Disgust(double au09, double au15) => new() { ["AU09_c"] = 1, ["AU09_r"] = au09, ["AU15_r"] = au15 };

    /// <summary>40 rows at 30 fps: disgust (moderate) at row 5; disgust and happy (both slight) at row 30.</summary>
    private static OpenFaceTable TwoEmotionPeaks()
    {
        var builder = new TableBuilder();
        for (var row = 0; row < 40; row++)
        {
            var values = row switch
            {
                5 => Disgust(2, 1.3),
                30 => new Dictionary<string, double>
                {
                    ["AU09_c"] = 1, ["AU09_r"] = 2.0, ["AU15_r"] = 0,
                    ["AU06_c"] = 1, ["AU12_c"] = 1, ["AU06_r"] = 1, ["AU12_r"] = 1.3, ["AU14_r"] = 0.4,
                },
                _ => new Dictionary<string, double> { ["AU45_r"] = 0.1 },
            };
            builder.Row(values);
        }

        return builder.Build();
    }

    [Fact]
    public void Chronological_peaks_are_mer_factory_texts_with_emotions_by_score()
    {
        var result = FacialAnalysis.Analyze(TwoEmotionPeaks());

        Assert.Equal([5, 30], result.PeakRows);
        Assert.Equal(
            ["Peak at 0.17s: disgust (moderate)", "Peak at 1.00s: disgust (slight), happy (slight)"],
            result.ChronologicalEmotionPeaks);
        Assert.True(result.IsExpressive);
        Assert.Equal(3.3, result.OverallIntensity[5], 12);
        Assert.Equal(0.1, result.OverallIntensity[0], 12);
    }

    [Fact]
    public void Overall_intensity_sums_every_intensity_column_including_negative_values()
    {
        var table = new TableBuilder().Row(new() { ["AU01_r"] = 1, ["AU45_r"] = 2, ["AU26_r"] = -0.5 }).Build();
        Assert.Equal([2.5], FacialAnalysis.OverallIntensity(table));
    }

    [Fact]
    public void Peaks_without_emotion_or_no_peaks_at_all_give_neutral()
    {
        var noEmotion = new TableBuilder().Levels(0, 1, 3, 1, 0).Build();
        var flat = new TableBuilder().Levels(1, 1, 1).Build();
        var low = new TableBuilder().Levels(0, 0.5, 0).Build();

        foreach (var table in new[] { noEmotion, flat, low })
        {
            var result = FacialAnalysis.Analyze(table);
            Assert.Equal(["neutral"], result.ChronologicalEmotionPeaks);
            Assert.False(result.IsExpressive);
        }

        Assert.Equal([2], FacialAnalysis.Analyze(noEmotion).PeakRows);
        Assert.Empty(FacialAnalysis.Analyze(low).PeakRows); // 0.5 < height 0.8
    }

    [Fact]
    public void Overall_peak_is_the_first_maximum_with_aus_above_point_eight()
    {
        var table = new TableBuilder()
            .Row(new() { ["AU25_r"] = 1 })
            .Row(new() { ["AU12_r"] = 0.5, ["AU25_r"] = 1.5, ["AU26_r"] = 2 })
            .Row(new() { ["AU45_r"] = 4 })
            .Build();

        var result = FacialAnalysis.Analyze(table);
        var peak = result.OverallPeak!;
        Assert.Equal(1, peak.Row); // 0.5 + 1.5 + 2 ties with 4; pandas idxmax keeps the first
        Assert.Equal(2, peak.FrameNumber);
        Assert.Equal(1 / 30.0, peak.Timestamp);
        Assert.Equal(["AU25_r", "AU26_r"], peak.TopAusIntensities.Select(a => a.Key));
        Assert.Equal("Lips part (intensity: 1.50), Jaw drop (intensity: 2.00)", result.OverallPeakAuDescription);
    }

    [Fact]
    public void Neutral_overall_peak_uses_mer_factorys_overall_peak_sentence()
    {
        var result = FacialAnalysis.Analyze(new TableBuilder().Levels(0.2, 0.5, 0.1).Build());
        Assert.Equal("Neutral expression at the overall peak frame.", result.OverallPeakAuDescription);
        Assert.Empty(result.OverallPeak!.TopAusIntensities);
    }

    [Fact]
    public void Failed_frames_are_analysed_by_default_and_skipped_on_request()
    {
        var builder = new TableBuilder().Levels(0, 0, 0);
        builder.Row(Disgust(4, 4), success: false); // a spurious detection with no tracked face
        builder.Levels(0, 0, 0).Row(Disgust(1, 1)).Levels(0, 0);
        var table = builder.Build();

        var mer = FacialAnalysis.Analyze(table);
        Assert.Equal([3], mer.PeakRows); // 8.0 suppresses the 2.0 four rows later
        Assert.Equal(4, mer.OverallPeak!.FrameNumber);

        var skipping = FacialAnalysis.Analyze(table, new FacialAnalysisOptions { SkipFailedFrames = true });
        Assert.Equal(table.Count - 1, skipping.RowCount);
        Assert.Equal(["Peak at 0.23s: disgust (slight)"], skipping.ChronologicalEmotionPeaks); // frame 8
        Assert.Equal(8, skipping.OverallPeak!.FrameNumber);
    }

    [Fact]
    public void All_frames_failed_and_skipped_gives_a_neutral_result_without_overall_peak()
    {
        var table = new TableBuilder().Row(Disgust(2, 2), success: false).Row(success: false).Build();
        var result = FacialAnalysis.Analyze(table, new FacialAnalysisOptions { SkipFailedFrames = true });
        Assert.Equal(0, result.RowCount);
        Assert.Null(result.OverallPeak);
        Assert.Equal(["neutral"], result.ChronologicalEmotionPeaks);
        Assert.Equal(AuDescriptions.NeutralAtOverallPeak, result.OverallPeakAuDescription);
    }

    [Fact]
    public void One_face_can_be_chosen_among_several()
    {
        // Two faces per frame, rows interleaved as OpenFace writes them: face 1 shows disgust in frame 3.
        var frames = new List<OpenFaceFrame>();
        var layout = OpenFaceLayout.ActionUnits;
        for (var frame = 1; frame <= 6; frame++)
        {
            foreach (var face in new[] { 0, 1 })
            {
                var values = face == 1 && frame == 3 ? Disgust(2, 2) : new Dictionary<string, double>();
                frames.Add(new OpenFaceFrame
                {
                    Frame = frame, FaceId = face, Timestamp = (frame - 1) / 30.0, Confidence = 0.9, Success = face == 0 || frame > 1,
                    Intensities = [.. layout.IntensityColumns.Select(c => values.GetValueOrDefault(c))],
                    Presences = [.. layout.PresenceColumns.Select(c => values.GetValueOrDefault(c))],
                });
            }
        }

        var table = new OpenFaceTable("faces.csv", layout, frames);
        Assert.Equal([0, 1], table.FaceIds);
        Assert.Equal(0, table.MostPresentFaceId()); // face 1 was lost in frame 1

        Assert.Equal(["Peak at 0.07s: disgust (moderate)"], FacialAnalysis.Analyze(table, new FacialAnalysisOptions { FaceId = 1 }).ChronologicalEmotionPeaks);
        Assert.Equal(["neutral"], FacialAnalysis.Analyze(table, new FacialAnalysisOptions { FaceId = 0 }).ChronologicalEmotionPeaks);
        Assert.Equal(6, FacialAnalysis.Analyze(table, new FacialAnalysisOptions { FaceId = 1 }).RowCount);
    }

    [Fact]
    public void Peak_distance_in_seconds_uses_the_frame_rate()
    {
        var builder = new TableBuilder(fps: 30);
        for (var row = 0; row < 50; row++) builder.Row(row == 5 ? Disgust(3, 3) : row == 25 ? Disgust(2, 2) : null);
        var table = builder.Build();

        Assert.Equal([5, 25], FacialAnalysis.Analyze(table).PeakRows); // 20 rows apart ≥ 15 frames
        var oneSecond = FacialAnalysis.Analyze(table, new FacialAnalysisOptions { PeakDistanceSeconds = 1 });
        Assert.Equal(30, oneSecond.PeakDistanceRows, 6); // estimated 30 fps from timestamps
        Assert.Equal([5], oneSecond.PeakRows);
        var slowVideo = FacialAnalysis.Analyze(table, new FacialAnalysisOptions { PeakDistanceSeconds = 1, FramesPerSecond = 10 });
        Assert.Equal([5, 25], slowVideo.PeakRows);
        Assert.Equal(30, FacialAnalysis.EstimateFramesPerSecond(table)!.Value, 6);
    }

    [Fact]
    public void A_separate_emotion_threshold_changes_only_the_emotions()
    {
        var table = TwoEmotionPeaks();
        var result = FacialAnalysis.Analyze(table, new FacialAnalysisOptions { EmotionThreshold = 1.2 });
        Assert.Equal([5, 30], result.PeakRows);
        // disgust 1.65 against 1.2: slight (< 2.4); row 30's emotions (1.0, 0.9) are below 1.2
        Assert.Equal(["Peak at 0.17s: disgust (slight)"], result.ChronologicalEmotionPeaks);
    }

    [Fact]
    public void Threshold_drives_both_peak_height_and_emotions_by_default()
    {
        var result = FacialAnalysis.Analyze(TwoEmotionPeaks(), new FacialAnalysisOptions { Threshold = 5 });
        Assert.Empty(result.PeakRows); // the highest peak sums to 4.7
        Assert.Equal(["neutral"], result.ChronologicalEmotionPeaks);

        var (peaks, expressive) = FacialAnalysis.ChronologicalEmotionSummary(TwoEmotionPeaks(), peakHeight: 0.8, peakDistance: 15);
        Assert.True(expressive);
        Assert.Equal(FacialAnalysis.Analyze(TwoEmotionPeaks()).ChronologicalEmotionPeaks, peaks);
    }

    [Fact]
    public void Frame_summary_describes_one_row_and_rejects_rows_out_of_range()
    {
        var table = new TableBuilder().Row(new() { ["AU06_r"] = 1.45, ["AU12_r"] = 1.74 }).Build("face.csv");
        Assert.Equal("Cheek raiser (intensity: 1.45), Lip corner puller (smile) (intensity: 1.74)", FacialAnalysis.DescribeFrame(table));
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => FacialAnalysis.DescribeFrame(table, 1));
        Assert.Contains("face.csv", error.Message);
    }

    [Theory]
    [InlineData(0, 15.0)]
    [InlineData(15, double.NaN)]
    public void Invalid_options_are_rejected(int peakDistanceFrames, double threshold)
    {
        var options = new FacialAnalysisOptions { PeakDistanceFrames = peakDistanceFrames, Threshold = threshold };
        Assert.Throws<ArgumentException>(() => FacialAnalysis.Analyze(TwoEmotionPeaks(), options));
    }
}
