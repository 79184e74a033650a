using System.Text.Json;
using System.Text.Json.Serialization;

namespace MerFactory.GateAgent;

/// <summary>What became of one modality.</summary>
public enum GateVerdict
{
    /// <summary>The last evaluation of its current text passed.</summary>
    Passed,

    /// <summary>Kept without a verdict on its current text: the turn limit or the call budget ran out first.</summary>
    PassedUndecided,

    /// <summary>Failed with no retry left; its text is now empty so synthesis leaves it out.</summary>
    Dropped,

    /// <summary>The AU evidence failed and was replaced by MER-Factory's rejection texts.</summary>
    AuRejected,

    /// <summary>The input had nothing for this modality, so the gate did not judge it.</summary>
    NotPresent,
}

/// <summary>One pass/fail the model gave a modality in a round.</summary>
public sealed record GateEvaluation(int Round, bool Passed, string Reason);

/// <summary>The end state of one modality, with the reason and every evaluation that led to it.</summary>
public sealed record GateModalityDecision(
    GateModality Modality,
    GateVerdict Verdict,
    string Reason,
    int Retries,
    IReadOnlyList<GateEvaluation> Evaluations)
{
    /// <summary>Whether the modality's text goes on to synthesis as it stands in <see cref="GateOutcome.Evidence"/>.</summary>
    [JsonIgnore]
    public bool Kept => Verdict is GateVerdict.Passed or GateVerdict.PassedUndecided;
}

/// <summary>A refined instruction the gate wrote for a failed modality; attempt n of that modality, 1-based.</summary>
public sealed record RefinedPrompt(GateModality Modality, int Attempt, string Reason, string Instruction)
{
    /// <summary>MER-Factory's file name: <c>refined_prompt_{modality}_{n}.txt</c>.</summary>
    public string FileName => $"refined_prompt_{Modality.Key()}_{Attempt}.txt";
}

/// <summary>What one entry of the gate's conversation log holds.</summary>
public enum GateLogKind
{
    PlanningPrompt,
    Plan,
    EvaluationPrompt,
    ModelAnswer,
    ToolResult,
    Correction,
    RefinementPrompt,
    RefinedInstruction,
    Regenerated,
    Decision,
}

/// <summary>One entry of the gate's conversation, for a sidecar log.</summary>
public sealed record GateLogEntry(int Round, GateLogKind Kind, string Text);

/// <summary>The result of a gate run. Given the same model answers and media, it is the same every time.</summary>
public sealed record GateOutcome
{
    public required string SampleId { get; init; }

    /// <summary>The evidence to synthesise: regenerated texts, dropped modalities as "", rejected AU replaced.</summary>
    public required GateEvidence Evidence { get; init; }

    public bool AuRejected { get; init; }

    /// <summary>One decision per modality, in <see cref="GateModalities.All"/> order.</summary>
    public required IReadOnlyList<GateModalityDecision> Decisions { get; init; }

    /// <summary>Refined instructions in the order they were written; see <see cref="RefinedPromptFiles"/>.</summary>
    public required IReadOnlyList<RefinedPrompt> RefinedPrompts { get; init; }

    /// <summary>Model calls made: plans, evaluation turns and refinements.</summary>
    public int ModelCalls { get; init; }

    /// <summary>Evaluation rounds run (1 plus one per round that regenerated something).</summary>
    public int Rounds { get; init; }

    public required IReadOnlyList<GateLogEntry> Log { get; init; }

    public GateModalityDecision Decision(GateModality modality) => Decisions.First(d => d.Modality == modality);

    /// <summary>The outcome and the whole conversation as indented JSON, for a sidecar log next to the sample's results.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, GateJsonContext.Default.GateOutcome);
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true, UseStringEnumConverter = true)]
[JsonSerializable(typeof(GateOutcome))]
internal sealed partial class GateJsonContext : JsonSerializerContext;
