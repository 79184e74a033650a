using MerFactory.Evaluation.Evidence;
using MerFactory.Evaluation.Text;

namespace MerFactory.Evaluation.Metrics;

/// <summary>
/// Text statistics of the record's main text (the synthesis, else the single description): distinct-1/2, repetition
/// rate, Flesch–Kincaid grade, word count, and whether the required concluding sentence ends the synthesis.
/// </summary>
public static class TextQuality
{
    public static void Evaluate(RecordEvidence record, RecordEvaluation result)
    {
        var texts = record.Texts;
        var main = texts.FinalSummary.Length > 0 ? texts.FinalSummary
            : texts.AudioAnalysis.Length > 0 ? texts.AudioAnalysis
            : texts.VideoDescription;
        var words = TextTokens.Words(main);
        if (words.Count == 0)
        {
            foreach (var metric in new[] { MetricNames.Distinct1, MetricNames.Distinct2, MetricNames.RepetitionRate, MetricNames.Fkgl, MetricNames.WordCount })
                result.Null(metric, $"the {record.Kind} record has no LLM text");
        }
        else
        {
            result.Set(MetricNames.WordCount, words.Count);
            result.Set(MetricNames.Distinct1, words.Distinct().Count() / (double)words.Count);
            var bigrams = words.Count - 1;
            if (bigrams > 0) result.Set(MetricNames.Distinct2, words.Zip(words.Skip(1)).Distinct().Count() / (double)bigrams);
            else result.Null(MetricNames.Distinct2, "one word only");
            result.Set(MetricNames.RepetitionRate, 1 - words.Distinct().Count() / (double)words.Count);
            var sentences = Math.Max(1, TextTokens.Sentences(main).Count);
            var syllables = words.Sum(Syllables);
            result.Set(MetricNames.Fkgl, 0.39 * words.Count / sentences + 11.8 * syllables / words.Count - 15.59);
        }

        if (texts.FinalSummary.Length == 0) { result.Null(MetricNames.ConclusionPresent, $"the {record.Kind} record has no synthesis"); return; }
        var present = Conclusion.StatedEmotion(texts.FinalSummary) is not null;
        result.Set(MetricNames.ConclusionPresent, present ? 1 : 0);
        if (!present) result.Flag(FlagCodes.MissingConclusion, "the synthesis does not end with the required concluding sentence");
    }

    /// <summary>Vowel groups, a silent final "e" dropped, at least one (the usual FKGL heuristic, as evaluate.py uses).</summary>
    public static int Syllables(string word)
    {
        var count = 0;
        var previousVowel = false;
        foreach (var c in word)
        {
            var vowel = "aeiouy".Contains(c, StringComparison.Ordinal);
            if (vowel && !previousVowel) count++;
            previousVowel = vowel;
        }
        if (word.Length > 2 && word.EndsWith('e') && !word.EndsWith("le", StringComparison.Ordinal) && count > 1) count--;
        return Math.Max(1, count);
    }
}
