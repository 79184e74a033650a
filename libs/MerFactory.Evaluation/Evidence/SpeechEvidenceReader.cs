using System.Text.Json;

namespace MerFactory.Evaluation.Evidence;

/// <summary>Reads our <c>{id}_transcript.json</c> sidecar (segments, words, prosody) into <see cref="SpeechEvidence"/>.</summary>
public static class SpeechEvidenceReader
{
    public static SpeechEvidence Read(JsonElement root)
    {
        var words = new List<TimedWord>();
        if (root.Get("segments") is { ValueKind: JsonValueKind.Array } segments)
        {
            foreach (var segment in segments.EnumerateArray())
            {
                if (segment.Get("words") is not { ValueKind: JsonValueKind.Array } list) continue;
                foreach (var word in list.EnumerateArray())
                    words.Add(new TimedWord(word.Text("word"), word.Number("start") ?? 0, word.Number("end") ?? 0));
            }
        }
        var prosody = root.Get("prosody") ?? default;
        var pitch = prosody.Get("pitch") ?? default;
        var loudness = prosody.Get("loudness") ?? default;
        var pauses = prosody.Get("pauses") ?? default;
        return new SpeechEvidence
        {
            Status = root.Text("status").ToLowerInvariant(),
            Text = root.Text("text"),
            DurationSeconds = root.Number("durationSeconds") ?? 0,
            Words = words,
            SpeechSeconds = prosody.Number("speechSeconds") ?? 0,
            LevelDb = loudness.Number("integratedLufs") ?? loudness.Number("rmsDbfs"),
            WordsPerSecond = prosody.Number("wordsPerSecond"),
            PitchSlopeSemitonesPerSecond = pitch.Number("slopeSemitonesPerSecond"),
            PitchRangeSemitones = pitch.Number("rangeSemitones"),
            PitchStdDevSemitones = pitch.Number("stdDevSemitones"),
            PauseCount = (int)(pauses.Number("count") ?? 0),
            LongestPauseSeconds = pauses.Number("longestSeconds") ?? 0,
        };
    }
}
