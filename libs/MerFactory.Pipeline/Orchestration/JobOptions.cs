namespace MerFactory.Pipeline.Orchestration;

/// <summary>Processing types of MER-Factory's <c>--type</c>.</summary>
public enum ProcessingType
{
    AU,
    Audio,
    Video,
    MER,
    Image,
}

/// <summary>Tasks of <c>--task</c>.</summary>
public enum TaskKind
{
    MERR,
    SentimentAnalysis,
}

/// <summary>Everything a job needs besides its inputs: MER-Factory's options (spec §1.2) and MerFactory's additions.</summary>
public sealed record JobOptions
{
    public ProcessingType Type { get; init; } = ProcessingType.MER;
    public TaskKind Task { get; init; } = TaskKind.MERR;
    public string? PromptsFile { get; init; }
    public string? LabelFile { get; init; }
    public double Threshold { get; init; } = 0.8;
    public int PeakDistance { get; init; } = 15;
    public int Concurrency { get; init; } = 4;
    public string? OllamaVisionModel { get; init; }
    public string? OllamaTextModel { get; init; }
    public string? ChatGptModel { get; init; }
    public string? HuggingFaceModel { get; init; }
    public bool Silent { get; init; }
    public bool Cache { get; init; }
    public bool UseGateAgent { get; init; }

    /// <summary>Frames sampled per second of video for evidence (0 = every frame).</summary>
    public double FrameSampleFps { get; init; } = 1;

    /// <summary>Frames per second the AU engine analyses (0 = every frame, as OpenFace).</summary>
    public double AuSampleFps { get; init; }

    /// <summary>Ground-truth labels by file stem, read from <see cref="LabelFile"/> where the job is submitted (so a remote job carries them).</summary>
    public IReadOnlyDictionary<string, string>? Labels { get; init; }

    /// <summary>Contents of <see cref="PromptsFile"/>, read where the job is submitted; null = built-in prompts.</summary>
    public string? PromptsJson { get; init; }

    /// <summary>
    /// Per-step LLM routes sent with each request (<c>RunLlmStep.RoutingJson</c>, keyed by step name such as "synthesis");
    /// used by remote jobs whose model flags must reach the gateway service. Null = the gateway's configured routes.
    /// </summary>
    public IReadOnlyDictionary<string, string>? LlmRoutes { get; init; }

    /// <summary>
    /// Remote jobs: the folder the inputs' relative paths start from on the submitting machine, and its OUTPUT folder,
    /// so <c>source_path</c> / <c>audio_path</c> in the downloaded records point at the user's files, not the server's.
    /// </summary>
    public string? ClientInputRoot { get; init; }

    /// <inheritdoc cref="ClientInputRoot"/>
    public string? ClientOutputRoot { get; init; }

    /// <summary>Speech engine for transcripts: auto, whisper or pocketsphinx.</summary>
    public string SpeechEngine { get; init; } = "auto";

    /// <summary>Spoken language (ISO 639-1), null to detect.</summary>
    public string? Language { get; init; }

    /// <summary>
    /// With <see cref="Cache"/>: what the dataset the job writes into already holds, by input relative path — sent by a
    /// remote client from its OUTPUT, so a deployment skips the files done there and MER reuses their earlier
    /// single-modality results, whatever job folder the deployment runs in. Null: the job's own OUTPUT is the dataset.
    /// </summary>
    public IReadOnlyDictionary<string, EarlierResults>? Dataset { get; init; }

    public static string FinalOutputSuffix(ProcessingType type) => type switch
    {
        ProcessingType.MER => "_merr_data.json",
        ProcessingType.AU => "_au_analysis.json",
        ProcessingType.Audio => "_audio_analysis.json",
        ProcessingType.Video => "_video_analysis.json",
        ProcessingType.Image => "_image_analysis.json",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };
}
