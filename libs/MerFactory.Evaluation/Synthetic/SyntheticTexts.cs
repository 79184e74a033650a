using System.Globalization;
using MerFactory.Evaluation.Evidence;

namespace MerFactory.Evaluation.Synthetic;

/// <summary>The LLM texts of one synthetic record: truthful phrasing drawn at random, with the planted faults written in.</summary>
internal sealed class SyntheticTexts(Random random, Scenario scenario, IReadOnlySet<string> planted, string sentence, double duration, double peakSeconds)
{
    private static readonly string[] Causes =
    [
        "the news the other person has just shared", "what was said a moment earlier", "the question the visitor asked",
        "the situation unfolding in the room",
    ];

    private static readonly string[] Settings =
    [
        "A person is seated in front of a plain wall", "A man stands in a kitchen", "A woman sits at a desk near a window",
        "A young person faces the camera in an office",
    ];

    public RecordTexts Compose()
    {
        var c = CultureInfo.InvariantCulture;
        var cues = scenario.TrueCues.OrderBy(_ => random.Next()).ToArray();
        var emotion = Pick(scenario.EmotionWords);
        var concluded = planted.Contains(FlagCodes.ContradictedEmotion) ? Pick(scenario.OppositeEmotionWords!) : emotion;

        var words = sentence.Split(' ');
        var start = random.Next(0, Math.Max(1, words.Length - 5));
        var quote = planted.Contains(FlagCodes.UnsupportedQuote)
            ? Pick(SyntheticScenarios.InventedQuotes)
            : string.Join(' ', words.Skip(start).Take(4 + random.Next(3)));
        // The LLM's transcript: what was said, sometimes with one word misheard.
        var heard = (string[])words.Clone();
        if (random.Next(3) == 0) heard[random.Next(heard.Length)] = "uh";
        var transcript = char.ToUpperInvariant(heard[0][0]) + string.Join(' ', heard)[1..] + ".";

        var summary = new List<string>
        {
            string.Create(c, $"Looking at the face, {cues[0]} is visible at the peak at {peakSeconds:0.0}s."),
        };
        if (planted.Contains(FlagCodes.UnsupportedAu)) summary.Add($"There is also {Pick(scenario.AbsentCues)} at that moment.");
        summary.Add($"The voice is {scenario.ToneWord}, and the speaker says, \"{quote}\".");
        if (planted.Contains(FlagCodes.TimeOutOfRange))
            summary.Add(string.Create(c, $"By {duration + 1.5 + random.NextDouble() * 6:0.0}s the expression has faded completely."));
        summary.Add("The video shows the person reacting to the conversation.");
        // Distractors a careless checker would flag: an in-range time, a negated absent cue.
        if (random.Next(2) == 0) summary.Add(string.Create(c, $"The clip lasts about {duration - 0.5:0.0} seconds."));
        if (random.Next(2) == 0) summary.Add($"There is no {WithoutArticle(Pick(scenario.AbsentCues))} anywhere in the clip.");
        summary.Add($"In conclusion, the core emotional state is {concluded}, and the most likely cause is {Pick(Causes)}.");

        var audio = $"Transcript: \"{transcript}\"\nThe speaker's tone is {scenario.ToneWord}. {Pick(scenario.ToneSentences)}";
        if (planted.Contains(FlagCodes.UnsupportedTone)) audio += " The speaker is shouting.";
        if (random.Next(2) == 0) audio += " The background is quiet, with a faint hum from the room.";
        var video = $"The person looks at the camera while talking; the face shows {cues[2 % cues.Length]} and the mood seems to be {emotion}.";
        if (random.Next(2) == 0) video += " A poster behind them reads \"Welcome home everyone\".";

        return new RecordTexts
        {
            FinalSummary = string.Join(' ', summary),
            VisualDescription = $"{Pick(Settings)}, showing {cues[1 % cues.Length]}.",
            AudioAnalysis = audio,
            VideoDescription = video,
        };
    }

    private static string WithoutArticle(string cue) =>
        cue.StartsWith("a ", StringComparison.Ordinal) ? cue[2..] : cue.StartsWith("an ", StringComparison.Ordinal) ? cue[3..] : cue;

    private string Pick(string[] options) => options[random.Next(options.Length)];
}
