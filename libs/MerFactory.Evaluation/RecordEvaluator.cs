using MerFactory.Evaluation.Evidence;
using MerFactory.Evaluation.Lexicon;
using MerFactory.Evaluation.Metrics;

namespace MerFactory.Evaluation;

/// <summary>Runs every model-free metric on one record's evidence.</summary>
public sealed class RecordEvaluator(EmotionLexicon? lexicon = null)
{
    private readonly EmotionLexicon _lexicon = lexicon ?? EmotionLexicon.Default;

    public RecordEvaluation Evaluate(RecordEvidence record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var result = new RecordEvaluation(record.Id, record.Kind);
        TranscriptAgreement.Evaluate(record, result);
        AuGrounding.Evaluate(record, result);
        QuoteGrounding.Evaluate(record, result);
        ToneGrounding.Evaluate(record, result);
        TemporalGrounding.Evaluate(record, result);
        EmotionAgreement.Evaluate(record, result, _lexicon);
        TextQuality.Evaluate(record, result);
        Coverage.Evaluate(record, result);
        Composite.Evaluate(result);
        return result;
    }
}
