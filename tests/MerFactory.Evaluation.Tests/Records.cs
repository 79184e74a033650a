using MerFactory.Evaluation.Evidence;
using MerFactory.Facs.OpenFace;

namespace MerFactory.Evaluation.Tests;

/// <summary>Hand-built evidence for metric tests: an AU table with chosen AUs raised around one moment, and speech.</summary>
internal static class Records
{
    public static OpenFaceTable Table(double seconds, double peakAt, IReadOnlyDictionary<string, double> peakAus)
    {
        var layout = OpenFaceLayout.ActionUnits;
        var frames = new List<OpenFaceFrame>();
        for (var row = 0; row <= seconds * 10; row++)
        {
            var time = row / 10.0;
            var shape = Math.Abs(time - peakAt) < 0.45 ? 1.0 : 0.0;
            var intensities = layout.IntensityColumns.Select(c => peakAus.GetValueOrDefault(c[..4]) * shape).ToArray();
            var presences = layout.PresenceColumns.Select(c => peakAus.GetValueOrDefault(c[..4]) * shape > 1 ? 1.0 : 0.0).ToArray();
            frames.Add(new OpenFaceFrame { Frame = row + 1, Timestamp = time, Success = true, Confidence = 1, Intensities = intensities, Presences = presences });
        }
        return new OpenFaceTable("test.csv", layout, frames);
    }

    public static SpeechEvidence Speech(string text, double levelDb = -22, double wordsPerSecond = 2.8, double slope = 0, double range = 6, double stdDev = 1.5, int pauses = 1) => new()
    {
        Status = "transcribed", Text = text, DurationSeconds = 4, SpeechSeconds = 3, LevelDb = levelDb, WordsPerSecond = wordsPerSecond,
        PitchSlopeSemitonesPerSecond = slope, PitchRangeSemitones = range, PitchStdDevSemitones = stdDev, PauseCount = pauses,
    };

    /// <summary>A smiling face peaking at 2.0 s in a 4 s clip, with the given texts.</summary>
    public static RecordEvidence Smiling(RecordTexts texts, SpeechEvidence? speech = null, string? label = null) => new()
    {
        Id = "r",
        Kind = "mer",
        Texts = texts,
        AuTable = Table(4, 2.0, new Dictionary<string, double> { ["AU06"] = 2.0, ["AU12"] = 2.8 }),
        EmotionPeaks = ["Peak at 2.00s: happy (moderate)"],
        OverallPeakSeconds = 2.0,
        Speech = speech,
        DurationSeconds = 4,
        Label = label,
    };

    public static RecordEvaluation Evaluate(RecordEvidence record) => new RecordEvaluator().Evaluate(record);
}
