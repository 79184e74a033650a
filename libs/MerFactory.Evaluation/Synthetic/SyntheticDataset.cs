using System.Globalization;
using MerFactory.Facs.Analysis;
using MerFactory.Facs.OpenFace;

namespace MerFactory.Evaluation.Synthetic;

/// <summary>A generated record and the flags planted in it (what a correct evaluator must raise, and nothing else).</summary>
public sealed record SyntheticRecord(string Id, IReadOnlySet<string> PlantedFlags);

/// <summary>
/// A seeded generator of MER record folders in MerFactory's output layout — AU table, FACS peaks computed by
/// <see cref="FacialAnalysis"/>, transcript with word times and prosody, media and steps sidecars, and the MER JSON —
/// with faults planted on purpose: an AU cited that is zero at the peak, an emotion that contradicts the FACS peaks,
/// a quote absent from the transcript, "shouting" over quiet audio, a time past the end, a missing modality, a degraded step.
/// </summary>
public sealed class SyntheticDataset(int seed, double framesPerSecond = 25)
{
    /// <summary>The faults the generator can plant, by the flag each must raise.</summary>
    public static IReadOnlyList<string> PlantableFlags { get; } =
    [
        FlagCodes.UnsupportedAu, FlagCodes.ContradictedEmotion, FlagCodes.UnsupportedQuote, FlagCodes.UnsupportedTone,
        FlagCodes.TimeOutOfRange, FlagCodes.MissingModality, FlagCodes.DegradedStep,
    ];

    private readonly Random _random = new(seed);
    private int _nextFault;

    /// <summary>Adds <paramref name="fault"/> unless the scenario cannot carry it, or it would remove the evidence another fault needs.</summary>
    private static void Plant(HashSet<string> planted, Scenario scenario, string fault)
    {
        if (fault == FlagCodes.ContradictedEmotion && scenario.OppositeEmotionWords is null) return;
        var next = new HashSet<string>(planted) { fault };
        var needsBoth = next.Contains(FlagCodes.UnsupportedAu) && (next.Contains(FlagCodes.UnsupportedQuote) || next.Contains(FlagCodes.UnsupportedTone));
        if (next.Contains(FlagCodes.MissingModality) && needsBoth) return;
        planted.Add(fault);
    }

    /// <summary>Writes <paramref name="count"/> record folders under <paramref name="root"/>; about a third are clean.</summary>
    public IReadOnlyList<SyntheticRecord> Write(string root, int count)
    {
        var records = new List<SyntheticRecord>(count);
        for (var i = 0; i < count; i++) records.Add(WriteOne(root, i));
        return records;
    }

    public SyntheticRecord WriteOne(string root, int index)
    {
        var id = $"clip{index:00000}";
        var scenario = SyntheticScenarios.All[_random.Next(SyntheticScenarios.All.Count)];
        var planted = new HashSet<string>(StringComparer.Ordinal);
        // A third clean; the rest one fault in turn (so every fault is planted about equally often), a quarter of them a second at random.
        if (index % 3 != 0)
        {
            // The next fault in turn that this scenario can carry.
            for (var tries = 0; tries < PlantableFlags.Count && planted.Count == 0; tries++) Plant(planted, scenario, PlantableFlags[_nextFault++ % PlantableFlags.Count]);
            if (_random.NextDouble() < 0.25) Plant(planted, scenario, PlantableFlags[_random.Next(PlantableFlags.Count)]);
        }

        var folder = Directory.CreateDirectory(Path.Combine(root, id)).FullName;
        var sentence = SyntheticScenarios.Sentences[_random.Next(SyntheticScenarios.Sentences.Length)];
        // Long enough for the sentence at the scenario's speaking rate, so the measured rate is the one the texts describe.
        var duration = Math.Round(Math.Max(3 + _random.NextDouble() * 3, sentence.Split(' ').Length / scenario.Voice.WordsPerSecond + 0.8), 2);
        var peakSeconds = Math.Round(0.8 + _random.NextDouble() * (duration - 1.6), 2);
        var table = AuTable(id, scenario, duration, peakSeconds);
        var analysis = FacialAnalysis.Analyze(table);
        var overall = FacialAnalysis.OverallPeakFrame(table);
        var voice = planted.Contains(FlagCodes.UnsupportedTone) ? scenario.Voice with { LevelDb = -42 } : scenario.Voice;
        var texts = new SyntheticTexts(_random, scenario, planted, sentence, duration, overall.Timestamp).Compose();

        string FilePath(string suffix) => Path.Combine(folder, id + suffix);
        // The missing modality is one no other planted fault needs: the AU table, else the transcript.
        var needsTranscript = planted.Contains(FlagCodes.UnsupportedQuote) || planted.Contains(FlagCodes.UnsupportedTone);
        var dropCsv = planted.Contains(FlagCodes.MissingModality) && (needsTranscript || !planted.Contains(FlagCodes.UnsupportedAu) && _random.Next(2) == 0);
        if (!dropCsv) OpenFaceCsv.Write(FilePath(".csv"), table);
        if (!planted.Contains(FlagCodes.MissingModality) || dropCsv)
            File.WriteAllText(FilePath("_transcript.json"), SyntheticSidecars.Transcript(id, sentence, duration, voice, _random));
        File.WriteAllText(FilePath("_media.json"), SyntheticSidecars.Media(id, duration));
        File.WriteAllText(FilePath("_steps.json"), SyntheticSidecars.Steps(id, planted.Contains(FlagCodes.DegradedStep)));
        File.WriteAllText(FilePath("_au_analysis.json"), AuAnalysisDocument.From(id + ".mp4", analysis).ToJson());
        File.WriteAllText(FilePath("_merr_data.json"), SyntheticSidecars.Merr(id, folder, analysis.ChronologicalEmotionPeaks, overall.FrameNumber, overall.Timestamp, overall.TopAusIntensities, texts));
        return new SyntheticRecord(id, planted);
    }

    /// <summary>An OpenFace table: low noise everywhere, the scenario's AUs rising to their peak values around <paramref name="peakSeconds"/>.</summary>
    private OpenFaceTable AuTable(string id, Scenario scenario, double duration, double peakSeconds)
    {
        var layout = OpenFaceLayout.ActionUnits;
        var frames = new List<OpenFaceFrame>();
        var rows = (int)(duration * framesPerSecond) + 1;
        for (var row = 0; row < rows; row++)
        {
            var time = Math.Round(row / framesPerSecond, 3);
            var shape = Math.Exp(-Math.Pow(time - peakSeconds, 2) / (2 * 0.35 * 0.35));
            var intensities = new double[layout.IntensityColumns.Count];
            for (var i = 0; i < intensities.Length; i++)
            {
                var au = layout.IntensityColumns[i][..4];
                var peak = scenario.PeakAus.GetValueOrDefault(au);
                intensities[i] = Math.Round(peak * shape + _random.NextDouble() * 0.25, 2);
            }
            var presences = new double[layout.PresenceColumns.Count];
            for (var i = 0; i < presences.Length; i++)
            {
                var value = table(layout.PresenceColumns[i][..4]);
                presences[i] = value > 1.0 ? 1 : 0;
            }
            frames.Add(new OpenFaceFrame { Frame = row + 1, Timestamp = time, Confidence = 0.98, Success = true, Intensities = intensities, Presences = presences });

            double table(string au) => layout.IntensityIndex(au + "_r") is var k and >= 0 ? intensities[k] : 0;
        }
        return new OpenFaceTable(id + ".csv", layout, frames);
    }
}
