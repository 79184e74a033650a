namespace MerFactory.GateAgent;

/// <summary>Bounds of one gate run. Every loop the gate has is limited by one of these, so it always ends.</summary>
public sealed class GateOptions
{
    public const string SectionName = "GateAgent";

    /// <summary>Model answers per evaluation round (tool uses and rejected answers count); MER-Factory uses 15.</summary>
    public int MaxTurns { get; set; } = 15;

    /// <summary>Refine-and-regenerate attempts per modality before a still-failing modality is dropped.</summary>
    public int MaxRetriesPerModality { get; set; } = 2;

    /// <summary>All model calls of one run: plans, evaluation turns and refinements.</summary>
    public int MaxModelCalls { get; set; } = 60;

    /// <summary>Longest tool output kept in the conversation; longer output is cut with a note.</summary>
    public int MaxToolOutputChars { get; set; } = 4000;

    /// <summary>Longest model answer kept in the conversation, so a rambling model cannot blow up later prompts.</summary>
    public int MaxAnswerChars { get; set; } = 6000;

    /// <summary>Wall-clock limit of one tool run (one ffmpeg process).</summary>
    public TimeSpan ToolTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The ffmpeg executable (a name on PATH or a full path).</summary>
    public string FfmpegPath { get; set; } = "ffmpeg";

    internal void Validate()
    {
        if (MaxTurns < 1) throw new ArgumentOutOfRangeException(nameof(MaxTurns), MaxTurns, "GateOptions.MaxTurns must be at least 1.");
        if (MaxRetriesPerModality < 0) throw new ArgumentOutOfRangeException(nameof(MaxRetriesPerModality), MaxRetriesPerModality, "GateOptions.MaxRetriesPerModality cannot be negative.");
        if (MaxModelCalls < 1) throw new ArgumentOutOfRangeException(nameof(MaxModelCalls), MaxModelCalls, "GateOptions.MaxModelCalls must be at least 1.");
        if (MaxToolOutputChars < 100) throw new ArgumentOutOfRangeException(nameof(MaxToolOutputChars), MaxToolOutputChars, "GateOptions.MaxToolOutputChars must be at least 100.");
        if (MaxAnswerChars < 100) throw new ArgumentOutOfRangeException(nameof(MaxAnswerChars), MaxAnswerChars, "GateOptions.MaxAnswerChars must be at least 100.");
        if (ToolTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(ToolTimeout), ToolTimeout, "GateOptions.ToolTimeout must be positive.");
        if (string.IsNullOrWhiteSpace(FfmpegPath)) throw new ArgumentException("GateOptions.FfmpegPath is empty.", nameof(FfmpegPath));
    }
}
