namespace MerFactory.Evaluation.Synthetic;

/// <summary>
/// One facial-expression scenario of the synthetic dataset: the AUs raised at the peak, phrases that describe them
/// truthfully, emotion words, and what a faulty description would say instead.
/// </summary>
internal sealed record Scenario(
    string Emotion,
    IReadOnlyDictionary<string, double> PeakAus,
    string[] TrueCues,
    string[] EmotionWords,
    string[]? OppositeEmotionWords,
    string[] AbsentCues,
    string ToneWord,
    Prosody Voice,
    string[] ToneSentences);

/// <summary>Prosody a scenario's voice is generated with.</summary>
internal sealed record Prosody(double LevelDb, double WordsPerSecond, double Slope, double Range, double StdDev, int Pauses);

internal static class SyntheticScenarios
{
    public static IReadOnlyList<Scenario> All { get; } =
    [
        new("happy",
            new Dictionary<string, double> { ["AU06"] = 2.2, ["AU12"] = 2.8, ["AU25"] = 1.2 },
            ["a broad smile", "raised cheeks", "the lip corner puller (AU12)", "smiling warmly", "a grin"],
            ["happiness", "joy", "delight", "cheerfulness"],
            ["sadness", "grief", "disappointment"],
            ["a furrowed brow", "a wrinkled nose", "AU04 (brow lowerer)", "pressed lips"],
            "cheerful",
            new Prosody(-22, 3.0, 0.3, 9.5, 2.1, 1),
            ["The intonation is lively and animated.", "The voice sounds bright and animated."]),
        new("sad",
            new Dictionary<string, double> { ["AU01"] = 2.0, ["AU04"] = 2.2, ["AU15"] = 2.4 },
            ["furrowed brows", "the corners of the mouth turned down", "an inner brow raiser", "lowered brows"],
            ["sadness", "sorrow", "disappointment", "melancholy"],
            ["joy", "happiness", "delight"],
            ["a smile", "a wrinkled nose", "AU12", "wide eyes"],
            "melancholy",
            new Prosody(-34, 1.7, -1.2, 4.0, 1.2, 3),
            ["The speaker talks softly and slowly, with several pauses.", "The voice is quiet and slow, with a falling pitch."]),
        new("angry",
            new Dictionary<string, double> { ["AU04"] = 2.5, ["AU07"] = 2.4, ["AU23"] = 2.2, ["AU10"] = 1.6, ["AU17"] = 1.5 },
            ["a deep frown", "pressed lips", "narrowed eyes", "the lid tightener (AU07)"],
            ["anger", "frustration", "irritation", "annoyance"],
            ["joy", "delight", "happiness"],
            ["a smile", "raised eyebrows", "AU02", "dimples"],
            "irritated",
            new Prosody(-16, 3.6, 0.1, 7.0, 1.8, 0),
            ["The speaker raises his voice and talks fast.", "The voice is loud and forceful."]),
        new("surprise",
            new Dictionary<string, double> { ["AU01"] = 2.4, ["AU02"] = 2.6, ["AU05"] = 2.2, ["AU26"] = 2.0, ["AU25"] = 1.8 },
            ["raised eyebrows", "wide eyes", "an open mouth", "a jaw drop"],
            ["surprise", "astonishment", "amazement"],
            null, // surprise has no valence: no description can contradict it by valence
            ["a wrinkled nose", "a smile", "AU15", "a deep frown"],
            "astonished",
            new Prosody(-24, 2.8, 2.2, 8.5, 2.4, 1),
            ["The pitch rises sharply toward the end, a rising intonation.", "The speech has a rising intonation."]),
    ];

    public static readonly string[] Sentences =
    [
        "I really did not expect to see you here today",
        "we have been waiting for this news all week long",
        "you told me the results would be ready by now",
        "that is exactly what I was hoping to hear from you",
        "why would anyone leave the door open like that",
        "I think we should talk about what happened yesterday",
        "please tell me this is not the final answer",
        "the whole team worked late to finish the project",
    ];

    public static readonly string[] InventedQuotes =
    [
        "nobody ever listens to a word I say",
        "the ship leaves at midnight without us",
        "give me back the keys to my car",
        "this is the best birthday of my life",
    ];
}
