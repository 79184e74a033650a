using MerFactory.Llm.Prompts;

namespace MerFactory.Llm.Tests;

public sealed class PromptTests
{
    private static readonly PromptCatalog BuiltIn = PromptCatalog.Load();

    public static TheoryData<SynthesisTask, bool> TasksAndLabels => new()
    {
        { SynthesisTask.Merr, false }, { SynthesisTask.Merr, true },
        { SynthesisTask.SentimentAnalysis, false }, { SynthesisTask.SentimentAnalysis, true },
    };

    [Fact]
    public void EveryBuiltInSynthesisPromptCarriesItsRequiredConclusionVerbatim()
    {
        foreach (var (key, sentence) in PromptCatalog.RequiredConclusions)
            Assert.Contains(sentence, BuiltIn.Template(key));
    }

    [Theory]
    [MemberData(nameof(TasksAndLabels))]
    public void SynthesisFormatsForBothTasksWithAndWithoutALabel(SynthesisTask task, bool labelled)
    {
        var label = labelled ? "happy" : null;
        var context = ClueContext.ForMer(new MerClues(["Peak at 1.20s: happy (moderate)"], 1.2, "Cheek raiser (AU06): 1.8", "A smiling man.", "He laughs.", "A man talks.", label), task);

        var mer = BuiltIn.Synthesis(task, context, label);
        var image = BuiltIn.ImageSynthesis(task, ClueContext.ForImage(new ImageClues("A genuine smile.", "Office background.", label)), label);

        foreach (var prompt in new[] { mer, image })
        {
            Assert.DoesNotContain("{", prompt);
            Assert.DoesNotContain("}", prompt);
        }
        Assert.Contains(context, mer);
        if (labelled)
        {
            var conclusion = task == SynthesisTask.Merr ? "Thus the emotion is: happy" : "Therefore, the sentiment is: happy";
            Assert.Contains(conclusion, mer);
            Assert.Contains(task == SynthesisTask.Merr ? "Therefore, the emotion is: happy" : "Therefore, the sentiment is: happy", image);
        }
        else
        {
            Assert.Contains(task == SynthesisTask.Merr ? "the core emotional state is [inferred core emotion]" : "the inferred sentiment is [Positive/Negative/Neutral], primarily", mer);
        }
    }

    [Fact]
    public void ModalityPromptsUseTheLabelOnlyWhenGiven()
    {
        Assert.StartsWith("The audio's emotion state is labeled as \"sad\".", BuiltIn.AudioAnalysis("sad"));
        Assert.StartsWith("The video is labeled as \"sad\".", BuiltIn.VideoDescription("sad"));
        Assert.StartsWith("The image's emotion state is labeled as \"sad\".", BuiltIn.ImageDescription("sad"));
        Assert.DoesNotContain("labeled", BuiltIn.AudioAnalysis());
        Assert.DoesNotContain("labeled", BuiltIn.ImageDescription(" "));
        Assert.Contains("DO NOT PROVIDE ANY RESPONSE OTHER THAN A RAW TEXT DESCRIPTION.", BuiltIn.ImageDescription());
        Assert.Contains("AU12 (lip corner puller): 2.10", BuiltIn.FacialExpression("AU12 (lip corner puller): 2.10"));
    }

    [Fact]
    public void UserQuestionPoolsHaveMerFactorysSizes()
    {
        Assert.Equal([4, 3, 3, 3, 3], Enum.GetValues<QuestionPool>().Select(p => BuiltIn.UserQuestions(p).Count));
    }

    [Fact]
    public void AUserFileWithAnUnknownPlaceholderIsRejectedNamingKeyAndPlaceholder()
    {
        var path = WriteVariant(t => t.Replace("{au_text}", "{au_list}"));
        var error = Assert.Throws<PromptFormatException>(() => PromptCatalog.Load(path));
        Assert.Contains("facial_expression_description", error.Message);
        Assert.Contains("{au_list}", error.Message);
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void AUserFileMissingAKeyIsRejected()
    {
        var path = WriteVariant(t => t.Replace("\"Sentiment Analysis\"", "\"Sentiment\""));
        var error = Assert.Throws<PromptFormatException>(() => PromptCatalog.Load(path));
        Assert.Contains("synthesis.Sentiment Analysis.without_label", error.Message);
    }

    [Fact]
    public void EscapedBracesStayLiteralAndAMissingValueIsAClearError()
    {
        var path = WriteVariant(t => t.Replace("Answer in plain prose.", "Answer as {{\\\"emotion\\\": ...}}."));
        var catalog = PromptCatalog.Load(path);
        Assert.EndsWith("Answer as {\"emotion\": ...}.", catalog.FacialExpression("AU06: 1.0"));

        // A user template that asks for the label in the without-label variant cannot be filled.
        var labelless = PromptCatalog.Load(WriteVariant(t => t.Replace("Listen to this audio and do two things.", "Label {label}. Listen.")));
        var error = Assert.Throws<PromptFormatException>(() => labelless.AudioAnalysis());
        Assert.Contains("audio_analysis.without_label", error.Message);
        Assert.Contains("no label was given", error.Message);
    }

    [Fact]
    public void AMissingPromptsFileNamesThePath()
    {
        var error = Assert.Throws<FileNotFoundException>(() => PromptCatalog.Load("/nonexistent/prompts.json"));
        Assert.Contains("/nonexistent/prompts.json", error.Message);
    }

    [Fact]
    public void VersionChangesWhenATemplateChanges()
    {
        var changed = PromptCatalog.Load(WriteVariant(t => t.Replace("Answer in plain prose.", "Answer briefly.")));
        Assert.NotEqual(BuiltIn.Version, changed.Version);
        Assert.Equal(BuiltIn.Version, PromptCatalog.Load().Version);
    }

    [Fact]
    public void MerClueBlockFollowsMerFactorysLines()
    {
        var withAll = ClueContext.ForMer(new MerClues(["Peak at 0.50s: sad (slight)", "Peak at 2.00s: neutral"], 2.0, "Brow lowerer (AU04): 1.2", "A woman.", "She sighs.", "N/A", "sad"),
            SynthesisTask.SentimentAnalysis);
        Assert.Equal(
            "- Ground Truth Sentiment Label: sad\n" +
            "- Chronological Emotion Peaks by Facial Action Unit: Peak at 0.50s: sad (slight); Peak at 2.00s: neutral\n" +
            "- Facial Expression Clues (at overall peak 2.00s): Brow lowerer (AU04): 1.2\n" +
            "- Visual Context (at overall peak): A woman.\n" +
            "- Audio clues: She sighs.", withAll);

        var minimal = ClueContext.ForMer(new MerClues(["neutral"], 0.333, "Neutral expression at the overall peak frame.", "A room.", "", null), SynthesisTask.Merr);
        Assert.Equal(3, minimal.Split('\n').Length);
        Assert.Contains("(at overall peak 0.33s)", minimal);
    }

    [Fact]
    public void ImageClueBlockFollowsMerFactorysLines() =>
        Assert.Equal("- Ground Truth Label: angry\n- Facial Expression Clues: Frown.\n- Visual Context: A kitchen.",
            ClueContext.ForImage(new ImageClues("Frown.", "A kitchen.", "angry")));

    private static string WriteVariant(Func<string, string> edit)
    {
        using var stream = typeof(PromptCatalog).Assembly.GetManifestResourceStream("MerFactory.Llm.default-prompts.json")!;
        var text = new StreamReader(stream).ReadToEnd();
        var path = Path.Combine(Path.GetTempPath(), $"prompts-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, edit(text));
        return path;
    }
}
