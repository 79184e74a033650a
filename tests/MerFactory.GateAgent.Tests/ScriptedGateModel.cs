using MerFactory.GateAgent;

namespace MerFactory.GateAgent.Tests;

/// <summary>A gate model that gives scripted answers in order and records every prompt; an unexpected extra call fails the test.</summary>
internal sealed class ScriptedGateModel(params string[] answers) : IGateModel
{
    private readonly Queue<string> _answers = new(answers);

    public List<string> Prompts { get; } = [];

    public int Remaining => _answers.Count;

    public Task<string> CompleteAsync(string prompt, CancellationToken cancellationToken)
    {
        Prompts.Add(prompt);
        if (_answers.Count == 0) throw new InvalidOperationException($"The scripted model has no answer left for call {Prompts.Count}.");
        return Task.FromResult(_answers.Dequeue());
    }
}

/// <summary>Records regeneration requests and answers each with the next scripted text for that modality.</summary>
internal sealed class RegenerationRecorder(params (GateModality Modality, string Text)[] texts)
{
    private readonly Queue<(GateModality Modality, string Text)> _texts = new(texts);

    public List<(GateModality Modality, string Instruction)> Calls { get; } = [];

    public Task<string> RegenerateAsync(GateModality modality, string instruction, CancellationToken cancellationToken)
    {
        Calls.Add((modality, instruction));
        if (_texts.Count == 0) throw new InvalidOperationException($"No regenerated text scripted for {modality}.");
        var (expected, text) = _texts.Dequeue();
        if (expected != modality) throw new InvalidOperationException($"Regeneration of {modality} requested, {expected} expected.");
        return Task.FromResult(text);
    }
}

/// <summary>Model answers in the shapes the gate accepts.</summary>
internal static class Answers
{
    public const string Plan = "1. Check loudness with media_metrics.\n2. Compare the AU description with the audio.";

    public static string Fenced(string json) => $"Here is my answer.\n```json\n{json}\n```";

    public static string Tool(string tool, string argumentsJson = "{}") =>
        Fenced($"{{\"action\": \"tool_use\", \"tool\": \"{tool}\", \"arguments\": {argumentsJson}}}");

    public static string Decision(params (string Modality, string Status, string Reason)[] entries) =>
        Fenced("{\"action\": \"final_decision\", \"evaluation\": {"
               + string.Join(", ", entries.Select(e => $"\"{e.Modality}\": {{\"status\": \"{e.Status}\", \"reason\": \"{e.Reason}\"}}"))
               + "}}");

    /// <summary>Every modality of <see cref="GateTestInputs.Full"/> passes, except the ones overridden.</summary>
    public static string AllPass(params (string Modality, string Status, string Reason)[] overrides)
    {
        var entries = new List<(string, string, string)>();
        foreach (var key in (string[])["audio", "video", "peak_frame", "au"])
        {
            var match = overrides.FirstOrDefault(o => o.Modality == key);
            entries.Add(match.Modality is null ? (key, "pass", $"{key} is specific and consistent") : match);
        }

        return Decision([.. entries]);
    }
}

internal static class GateTestInputs
{
    public const string AudioText = "Transcript: \"I am so happy today!\" The voice is bright, fast and rising in pitch.";
    public const string VideoText = "A woman smiles broadly, nods and gestures with both hands while talking.";
    public const string PeakFrameText = "A woman with dark hair in a blue shirt, mouth open in a wide smile, eyes narrowed.";
    public const string AuText = "Lip corner puller (smile) (intensity: 2.50), Cheek raiser (intensity: 1.80)";
    public const string AudioPrompt = "The audio's emotion state is labeled as \"happy\". Listen to this audio and transcribe it, then describe the vocal cues.";
    public const string VideoPrompt = "Describe the body language, facial movements and context of this video.";
    public const string PeakFramePrompt = "Describe what is objectively visible in this image.";

    public static GateInput Full(string? mediaPath = null, string? audioPath = null) => new()
    {
        SampleId = "sample_01",
        Evidence = new GateEvidence
        {
            AudioAnalysis = AudioText,
            VideoDescription = VideoText,
            PeakFrameDescription = PeakFrameText,
            PeakFrameAuDescription = AuText,
            DetectedEmotions = ["Peak at 0.10s: happy (moderate)"],
        },
        PeakFrameTimestampSeconds = 0.1,
        GroundTruthLabel = "happy",
        MediaPath = mediaPath,
        AudioPath = audioPath,
        OriginalPrompts = new Dictionary<GateModality, string>
        {
            [GateModality.Audio] = AudioPrompt,
            [GateModality.Video] = VideoPrompt,
            [GateModality.PeakFrame] = PeakFramePrompt,
        },
    };
}
