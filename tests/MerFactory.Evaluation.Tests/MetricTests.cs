using MerFactory.Evaluation.Evidence;
using MerFactory.Evaluation.Lexicon;
using MerFactory.Evaluation.Text;

namespace MerFactory.Evaluation.Tests;

public sealed class MetricTests
{
    private const string Ending = " In conclusion, the core emotional state is happiness, and the most likely cause is the good news.";

    [Theory]
    [InlineData("ask not what your country can do for you", "ask not what your country can do for you", 0.0)]
    [InlineData("ask not what your country can do for you", "ask what your country can do for you", 1 / 9.0)]
    [InlineData("ask not what your country can do for you", "Ask not, what your COUNTRY can do for you!", 0.0)]
    [InlineData("one two three four", "one too three", 0.5)]
    public void WordErrorRateCountsWordEditsOverTheReference(string reference, string hypothesis, double expected) =>
        Assert.Equal(expected, EditDistance.Wer(reference, hypothesis), 3);

    [Fact]
    public void ChineseIsScoredByCharacters()
    {
        Assert.Equal(0.25, EditDistance.Wer("我哪知道", "我那知道"), 3);
        Assert.Equal(0.25, EditDistance.Cer("我哪知道", "我那知道"), 3);
    }

    [Fact]
    public void AQuoteMatchesAnySpanOfTheTranscriptWithinTolerance()
    {
        const string transcript = "and so my fellow americans ask not what your country can do for you";
        Assert.Equal(0, EditDistance.BestSpanCer("what your country can do", transcript), 3);
        Assert.True(EditDistance.BestSpanCer("what you're country could do", transcript) <= 0.25);
        Assert.True(EditDistance.BestSpanCer("give me back my car keys", transcript) > 0.5);
    }

    [Fact]
    public void ACitedSmileIsSupportedAtThePeakAndAFrownIsNot()
    {
        var result = Records.Evaluate(Records.Smiling(new RecordTexts { FinalSummary = "At the peak she smiles broadly, and her brows are furrowed." + Ending }));
        Assert.Equal(2, result[MetricNames.AuCuesCited]);
        Assert.Equal(0.5, result[MetricNames.AuSupportRate]);
        Assert.Contains(result.Cues, c => c.Target == "AU12" && c.Status == CueStatus.Supported);
        Assert.Contains(result.Cues, c => c.Target == "AU04" && c.Status == CueStatus.Unsupported && c.Evidence.Contains("AU04 0.00", StringComparison.Ordinal));
        Assert.True(result.HasFlag(FlagCodes.UnsupportedAu));
    }

    [Fact]
    public void ACueAtACitedTimeIsCheckedThereNotAtThePeak()
    {
        var result = Records.Evaluate(Records.Smiling(new RecordTexts { FinalSummary = "At 0.5s the lip corner puller (AU12) is visible." + Ending }));
        Assert.All(result.Cues.Where(c => c.Kind == "au"), c => Assert.Equal(CueStatus.Unsupported, c.Status));
        Assert.Equal(0, result[MetricNames.AuSupportRate]);
    }

    [Fact]
    public void NegatedCuesAreContradictedOnlyWhenTheAuIsClearlyActive()
    {
        var result = Records.Evaluate(Records.Smiling(new RecordTexts { FinalSummary = "There is no smile at all, and no frown either." + Ending }));
        Assert.Contains(result.Cues, c => c.Target == "AU12" && c.Status == CueStatus.Contradicted);
        Assert.Contains(result.Cues, c => c.Target == "AU04" && c.Status == CueStatus.Supported);
        Assert.Equal(1, result[MetricNames.AuContradicted]);
    }

    [Fact]
    public void ASlightClaimOverAStrongAuIsContradicted()
    {
        var result = Records.Evaluate(Records.Smiling(new RecordTexts { FinalSummary = "She shows a slight smile." + Ending }));
        Assert.Contains(result.Cues, c => c.Target == "AU12" && c.Status == CueStatus.Contradicted && c.Evidence.Contains("strong", StringComparison.Ordinal));
    }

    [Fact]
    public void ConcludingSadnessOverASmilingFaceContradictsTheFacsPeaks()
    {
        var sad = Records.Evaluate(Records.Smiling(new RecordTexts { FinalSummary = "She looks down. In conclusion, the core emotional state is deep sorrow, and the most likely cause is the loss." }));
        Assert.True(sad.HasFlag(FlagCodes.ContradictedEmotion));
        Assert.Equal(0, sad[MetricNames.FacsConsistency]);
        var surprised = Records.Evaluate(Records.Smiling(new RecordTexts { FinalSummary = "In conclusion, the core emotional state is astonishment, and the most likely cause is the gift." }));
        Assert.False(surprised.HasFlag(FlagCodes.ContradictedEmotion)); // surprise has no valence to contradict
        var happy = Records.Evaluate(Records.Smiling(new RecordTexts { FinalSummary = "In conclusion, the core emotional state is delight." }, label: "Happy"));
        Assert.Equal(1, happy[MetricNames.FacsConsistency]);
        Assert.Equal(1, happy[MetricNames.LabelHit]);
        Assert.Equal(1, happy[MetricNames.ConclusionPresent]);
    }

    [Fact]
    public void ToneClaimsAreCheckedAgainstProsodyButBackgroundSoundIsNotAToneClaim()
    {
        var texts = new RecordTexts
        {
            AudioAnalysis = "Transcript: \"please stop that\"\nThe speaker is shouting and talks fast. The background is quiet, with a soft hum from the room.",
        };
        var quiet = Records.Evaluate(Records.Smiling(texts, Records.Speech("please stop that", levelDb: -41, wordsPerSecond: 3.2)));
        Assert.Equal(2, quiet[MetricNames.ToneClaims]);
        Assert.Contains(quiet.Cues, c => c.Target == "loud" && c.Status == CueStatus.Unsupported);
        Assert.Contains(quiet.Cues, c => c.Target == "fast" && c.Status == CueStatus.Supported);
        Assert.True(quiet.HasFlag(FlagCodes.UnsupportedTone));
        var loud = Records.Evaluate(Records.Smiling(texts, Records.Speech("please stop that", levelDb: -14, wordsPerSecond: 3.2)));
        Assert.Equal(1, loud[MetricNames.ToneSupportRate]);
        Assert.Equal(0, loud[MetricNames.TranscriptWer]);
    }

    [Fact]
    public void AnUnmarkedFirstLineIsComparedAsTranscriptButStillReadForTone()
    {
        var texts = new RecordTexts { AudioAnalysis = "The speaker shouts the words at the camera.\nBackground noise: none." };
        var result = Records.Evaluate(Records.Smiling(texts, Records.Speech("please stop that", levelDb: -45)));
        Assert.Equal(1, result[MetricNames.ToneClaims]);
        Assert.True(result.HasFlag(FlagCodes.UnsupportedTone));
        Assert.True(result[MetricNames.TranscriptWer] > 0.5);
    }

    [Fact]
    public void OnlyQuotedSpeechIsCheckedAgainstTheTranscript()
    {
        var texts = new RecordTexts
        {
            VideoDescription = "A sign on the wall reads \"Fire exit only\".",
            FinalSummary = "He says, \"we have been waiting for this news\", and later asks \"where is my brother now\"." + Ending,
        };
        var result = Records.Evaluate(Records.Smiling(texts, Records.Speech("we have been waiting for this news all week long")));
        Assert.Equal(2, result[MetricNames.QuotesCited]);
        Assert.Equal(0.5, result[MetricNames.QuoteSupportRate]);
        Assert.Single(result.Flags, f => f.Code == FlagCodes.UnsupportedQuote && f.Message.Contains("brother", StringComparison.Ordinal));
    }

    [Fact]
    public void TimesPastTheEndOrAwayFromThePeaksAreFlagged()
    {
        var result = Records.Evaluate(Records.Smiling(new RecordTexts { FinalSummary = "The peak at 2.1s shows a smile; another peak at 3.5 s follows, and by 0:07 she is gone." + Ending }));
        Assert.Equal(3, result[MetricNames.TimesCited]);
        Assert.Equal(2 / 3.0, result[MetricNames.TimeInRangeRate]!.Value, 3);
        Assert.True(result.HasFlag(FlagCodes.TimeOutOfRange));
        Assert.True(result.HasFlag(FlagCodes.TimeNotAtPeak));
    }

    [Theory]
    [InlineData("at 3.2s and again at 4 seconds", new[] { 3.2, 4.0 })]
    [InlineData("from 0:03 to 00:04.5", new[] { 3.0, 4.5 })]
    [InlineData("a room furnished in the 1990s style, like the 80s or the '70s", new double[0])]
    public void TimesAreFoundAndDecadesAreNotTimes(string text, double[] expected) =>
        Assert.Equal(expected, TimeMentions.In(text).Select(t => t.Seconds));

    [Fact]
    public void ChineseTextCountsCharactersAsWords()
    {
        Assert.Equal(["我", "哪", "知", "道", "ok"], TextTokens.Words("我哪知道 OK"));
    }

    [Fact]
    public void TheLexiconMapsWordFormsToGroupsWheelsAndValences()
    {
        var lexicon = EmotionLexicon.Default;
        Assert.Equal("angry", lexicon.Lookup("Exasperated")!.Name);
        Assert.Equal("happy", lexicon.Lookup("happiest")!.Name);
        Assert.Equal("disgust", lexicon.Lookup("contemptuous")!.Wheel);
        Assert.Equal("ambiguous", lexicon.Lookup("astonished")!.Valence);
        Assert.Equal(["sad"], lexicon.GroupsIn("She is not happy; she seems sad."));
        Assert.Null(lexicon.Lookup("table"));
        Assert.True(lexicon.FormCount > 200);
    }

    [Theory]
    [InlineData("… In conclusion, the core emotional state is frustration, and the most likely cause is the delay.", "frustration")]
    [InlineData("She frowns. Thus the emotion is: angry", "angry")]
    [InlineData("In conclusion, the most likely emotional state is quiet contentment because of the meal.", "quiet contentment")]
    [InlineData("In conclusion, the core emotional state is [emotion], and the most likely cause is [cause].", null)]
    [InlineData("In conclusion, the core emotional state is joy. But then more text follows.", null)]
    public void TheConcludingSentenceIsFoundOnlyAtTheEnd(string summary, string? expected) =>
        Assert.Equal(expected, Conclusion.StatedEmotion(summary));

    [Fact]
    public void TextStatisticsFollowTheirDefinitions()
    {
        var result = Records.Evaluate(Records.Smiling(new RecordTexts { FinalSummary = "the cat the cat the cat." }));
        Assert.Equal(6, result[MetricNames.WordCount]);
        Assert.Equal(2 / 6.0, result[MetricNames.Distinct1]!.Value, 3);
        Assert.Equal(2 / 5.0, result[MetricNames.Distinct2]!.Value, 3);
        Assert.Equal(1 - 2 / 6.0, result[MetricNames.RepetitionRate]!.Value, 3);
        Assert.Equal(0, result[MetricNames.ConclusionPresent]);
        Assert.True(result.HasFlag(FlagCodes.MissingConclusion));
    }
}
