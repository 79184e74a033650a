using MerFactory.Pipeline.Synthesis;
using MerFactory.Testing;

namespace MerFactory.Pipeline.Tests;

public sealed class LabelFileTests
{
    [Fact]
    public void LabelsAreKeptAsTextAndLookedUpByStem()
    {
        var labels = LabelFile.Parse("name,label\n001,1\nclip02.mp4,happy\n  spaced , sad \nnumeric,3.0\n", "labels.csv");
        Assert.Equal("1", labels["001"]);          // pandas would have made this the number 1 and never matched "001"
        Assert.Equal("happy", labels["clip02"]);   // a name given with its extension means the stem
        Assert.Equal("sad", labels["spaced"]);
        Assert.Equal("3.0", labels["numeric"]);
    }

    [Fact]
    public void ColumnsMayComeInAnyOrderAndCase()
    {
        var labels = LabelFile.Parse("\uFEFFLabel,extra,Name\nangry,x,a\n", "labels.csv");
        Assert.Equal("angry", labels["a"]);
    }

    [Theory]
    [InlineData("file,emotion\na,happy\n", "must contain 'name' and 'label' columns")]
    [InlineData("", "is empty")]
    [InlineData("name,label\na\n", "row 2")]
    public void BadFilesAreClearErrors(string text, string expected)
    {
        var error = Assert.Throws<LabelFileException>(() => LabelFile.Parse(text, "labels.csv"));
        Assert.Contains(expected, error.Message);
        Assert.Contains("labels.csv", error.Message);
    }

    [Fact]
    public void AMissingFileIsAClearError()
    {
        var error = Assert.Throws<LabelFileException>(() => LabelFile.Read("/nonexistent/labels.csv"));
        Assert.Contains("/nonexistent/labels.csv", error.Message);
    }
}

public sealed class ConclusionCheckTests
{
    [Theory]
    [InlineData("Reasoning here. Thus the emotion is: happy", false, false, "happy", true)]
    [InlineData("Reasoning here. Thus the emotion is: happy.", false, false, "happy", true)]
    [InlineData("Reasoning. Thus the emotion is: sad", false, false, "happy", false)]
    [InlineData("Thus the emotion is: happy. And one more thought.", false, false, "happy", false)]
    [InlineData("Reasoning. Therefore, the sentiment is: Positive", false, true, "Positive", true)]
    [InlineData("Reasoning. Therefore, the emotion is: calm", true, false, "calm", true)]
    [InlineData("Clues. In conclusion, the core emotional state is joy, and the most likely cause is a compliment.", false, false, null, true)]
    [InlineData("Clues. In conclusion, the core emotional state is [inferred core emotion], and the most likely cause is [x].", false, false, null, false)]
    [InlineData("Clues without the ending.", false, false, null, false)]
    [InlineData("Clues. Therefore, the inferred sentiment is Negative, primarily driven by a frown.", false, true, null, true)]
    [InlineData("Clues. In conclusion, the most likely emotional state is surprise, based on raised brows.", true, false, null, true)]
    [InlineData("Clues. Therefore, the inferred sentiment is Neutral, based on a relaxed face.", true, true, null, true)]
    public void TheEndingIsRecognised(string summary, bool isImage, bool sentiment, string? label, bool expected) =>
        Assert.Equal(expected, ConclusionCheck.EndsAsRequired(summary, isImage, sentiment, label));

    [Fact]
    public void TheRepairPromptQuotesTheAnswerAndTheRequiredSentence()
    {
        var prompt = ConclusionCheck.RepairPrompt("ORIGINAL", "an answer", isImage: false, sentiment: false, "angry");
        Assert.StartsWith("ORIGINAL", prompt);
        Assert.Contains("an answer", prompt);
        Assert.Contains("\"Thus the emotion is: angry\"", prompt);
    }
}

public sealed class SampleDocumentsTests
{
    private static MerRecord Mer(string? label = null, string? audioPath = "/out/clip/clip.wav") => new(
        "/data/clip.mp4", audioPath, ["Peak at 2.88s: angry (slight), contempt (slight)"],
        new PeakFrameInfo(88, 3.48, [new("AU06_r", 1.45), new("AU07_r", 2.78)]),
        "Cheek raiser (intensity: 1.45)", "A man in a room.", "我哪知道啊？\nTone: exasperated.", null, "… In conclusion, the core emotional state is frustration, and the most likely cause is x.", label);

    [Fact]
    public void MerRecordsHaveMerFactorysKeysOrderAndFormatting()
    {
        var json = SampleDocuments.Mer(Mer("angry"));
        var node = OutputSchemas.AssertValid("merr_data", json);
        // The sample has no video description: it is null (never "N/A") and the record says it is degraded.
        Assert.Equal(["source_path", "audio_path", "chronological_emotion_peaks", "overall_peak_frame_info", "coarse_descriptions_at_peak", "final_summary", "ground_truth_label", "degraded"],
            node.Select(p => p.Key).ToArray());
        Assert.Contains("\"timestamp\": 3.48,", json);      // Python float repr
        Assert.Contains("我哪知道啊", json);                  // ensure_ascii=False
        Assert.Contains("\n    \"source_path\"", json);      // 4-space indent
        Assert.Null(node["coarse_descriptions_at_peak"]!["video_content"]);
        Assert.True(node["degraded"]!.GetValue<bool>());
        Assert.DoesNotContain("N/A", json);
    }

    [Fact]
    public void WithoutLabelOrAudioTheRecordIsStillValid()
    {
        var node = OutputSchemas.AssertValid("merr_data", SampleDocuments.Mer(Mer(label: null, audioPath: null)));
        Assert.False(node.ContainsKey("ground_truth_label"));
        Assert.Null(node["audio_path"]);
    }

    [Fact]
    public void ImageAudioAndVideoRecordsMatchTheirSchemas()
    {
        OutputSchemas.AssertValid("image_analysis", SampleDocuments.Image(new ImageRecord("/d/face.jpg", "Cheek raiser (intensity: 1.45)", "A smile.", null, "Therefore, the emotion is: happy", "happy")));
        OutputSchemas.AssertValid("audio_analysis", SampleDocuments.Audio("/d/a.wav", "Transcript.\nTone: calm."));
        OutputSchemas.AssertValid("video_analysis", SampleDocuments.Video("/d/v.mp4", "Two men talk."));
    }

    [Fact]
    public void TheSchemasRejectWhatMerFactorysToolsCouldNotRead()
    {
        Assert.ThrowsAny<Exception>(() => OutputSchemas.AssertValid("audio_analysis", """{"source_path": "/a.wav"}"""));
        Assert.ThrowsAny<Exception>(() => OutputSchemas.AssertValid("audio_analysis", """{"source_path": "/a.wav", "audio_analysis": {"transcript": "", "tone_description": ""}}"""));
        Assert.ThrowsAny<Exception>(() => OutputSchemas.AssertValid("merr_data", SampleDocuments.Mer(Mer()).Replace("\"final_summary\"", "\"summary\"")));
        Assert.ThrowsAny<Exception>(() => OutputSchemas.AssertValid("au_analysis", """{"source_path": "/a.mp4", "chronological_emotion_peaks": ["Peak at 1s: happy"], "overall_peak_au_description": "x"}"""));
    }
}
