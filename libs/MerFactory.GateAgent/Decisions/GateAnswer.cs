using System.Text.Json;

namespace MerFactory.GateAgent.Decisions;

/// <summary>One model answer in the evaluation loop, after parsing and validation.</summary>
internal abstract record GateAnswer;

/// <summary><c>{"action":"tool_use","tool":…,"arguments":{…}}</c>; <see cref="Arguments"/> is an object or undefined.</summary>
internal sealed record ToolUseAnswer(string Tool, JsonElement Arguments) : GateAnswer;

/// <summary><c>{"action":"final_decision","evaluation":{…}}</c> with an entry for every modality under review.</summary>
internal sealed record FinalDecisionAnswer(IReadOnlyDictionary<GateModality, ModalityVerdict> Evaluation) : GateAnswer;

internal sealed record ModalityVerdict(bool Passed, string Reason);

/// <summary>An answer that broke the schema; the problems go back to the model as a corrective message.</summary>
internal sealed record InvalidAnswer(IReadOnlyList<string> Problems) : GateAnswer;

/// <summary>What a valid answer must match in this round: the modalities under review and the tools offered.</summary>
internal sealed record GateAnswerRules(IReadOnlyList<GateModality> Required, IReadOnlyList<string> ToolNames);
