using MerFactory.Evaluation.Evidence;
using MerFactory.Evaluation.Text;

namespace MerFactory.Evaluation.Metrics;

/// <summary>WER and CER of the transcript the LLM states in its audio description, against our own ASR transcript (the reference).</summary>
public static class TranscriptAgreement
{
    /// <summary>Above this WER the two transcripts disagree enough to flag.</summary>
    public const double MismatchWer = 0.5;

    public static void Evaluate(RecordEvidence record, RecordEvaluation result)
    {
        string[] metrics = [MetricNames.TranscriptWer, MetricNames.TranscriptCer];
        void Null(string reason) { foreach (var m in metrics) result.Null(m, reason); }

        var audio = record.Texts.AudioAnalysis;
        if (audio.Length == 0) { Null($"no audio description in the {record.Kind} record (no LLM transcript)"); return; }
        if (record.Speech is not { } speech) { Null(record.MissingReason("transcript", "no transcript sidecar")); return; }
        var stated = QuotedSpeech.StatedTranscriptOf(audio, out _);
        if (!speech.HasSpeech)
        {
            if (stated is null) Null("no speech: our ASR and the LLM both find none");
            else
            {
                Null("our ASR found no speech, so there is no reference transcript");
                result.Flag(FlagCodes.TranscriptMismatch, $"the LLM states a transcript (\"{Shorten(stated)}\") where our ASR found no speech");
            }
            return;
        }
        var hypothesis = stated ?? "";
        var wer = EditDistance.Wer(speech.Text, hypothesis);
        result.Set(MetricNames.TranscriptWer, wer);
        result.Set(MetricNames.TranscriptCer, EditDistance.Cer(speech.Text, hypothesis));
        if (wer > MismatchWer)
            result.Flag(FlagCodes.TranscriptMismatch, stated is null
                ? $"the LLM says there is no speech; our ASR heard \"{Shorten(speech.Text)}\""
                : $"WER {wer:0.00}: the LLM states \"{Shorten(stated)}\", our ASR heard \"{Shorten(speech.Text)}\"");
    }

    internal static string Shorten(string text, int length = 80) => text.Length <= length ? text : text[..length] + "…";
}
