using System.Globalization;
using System.Text;
using MerFactory.GateAgent.Decisions;
using MerFactory.GateAgent.Tools;

namespace MerFactory.GateAgent.Prompts;

/// <summary>A rejection from an earlier round, shown to later plans and evaluations (MER-Factory's <c>gate_feedback</c>).</summary>
internal sealed record GateFeedback(int Round, GateModality Modality, string Reason);

/// <summary>What the prompts of one evaluation round describe.</summary>
internal sealed record GateRoundView(
    GateInput Input,
    GateEvidence Evidence,
    int Round,
    IReadOnlyList<GateModality> UnderReview,
    IReadOnlyDictionary<GateModality, string> Excluded,
    IReadOnlyCollection<GateModality> Regenerated,
    IReadOnlyList<GateFeedback> Feedback,
    IReadOnlyList<IGateTool> Tools,
    GateAnswerRules Rules);

/// <summary>
/// The gate's prompts (spec §2.5): planning, evaluation (rules, tools, answer schema) and refinement. The wording is
/// ours; the content follows MER-Factory's, without its shell and Python tools.
/// </summary>
internal static class GatePrompts
{
    /// <summary>Longest evidence text quoted in a prompt; descriptions are far shorter, this only bounds a runaway one.</summary>
    private const int MaxEvidenceChars = 8000;

    public static string Planning(GateRoundView view)
    {
        var text = new StringBuilder();
        text.AppendLine("You are the Gate Agent, the quality-assurance lead of a multimodal emotion recognition dataset pipeline.")
            .AppendLine($"Before the outputs below are combined into the final {view.Input.Task.DisplayName()} summary, you check that each one is accurate, specific and consistent with the others.")
            .AppendLine();
        AppendContext(text, view);
        text.AppendLine()
            .AppendLine("You cannot see the video or hear the audio yourself. You can only check claims with these tools:");
        AppendToolList(text, view.Tools);
        text.AppendLine()
            .AppendLine("Write a short verification plan as a numbered list. Focus on:")
            .AppendLine("1. vague or unsupported claims (for example emotions asserted without any described cue);")
            .AppendLine("2. conflicts between modalities (for example an angry, loud voice against a neutral face);")
            .AppendLine("3. for each point, which tool (with which arguments) can settle it, or that no tool can and you will judge from the text.")
            .AppendLine("Output only the numbered list.");
        return text.ToString();
    }

    public static string Evaluation(GateRoundView view, string plan)
    {
        var text = new StringBuilder();
        text.AppendLine("You are the Gate Agent, the quality-assurance lead of a multimodal emotion recognition dataset pipeline.")
            .AppendLine("Decide, for each output under review, whether it may go into the final summary. Be strict but not pedantic: fail an output")
            .AppendLine("only when it is wrong, contradicted by tool evidence or by the other outputs, invents things that cannot be perceived, or is")
            .AppendLine("too vague to support an emotion judgement. Do not fail an output for style, length or minor omissions.")
            .AppendLine()
            .AppendLine("Criteria:");
        foreach (var modality in view.UnderReview) text.AppendLine($"- {modality.Key()}: {Criterion(modality)}");
        text.AppendLine("- Cross-modal consistency: the outputs describe the same moment of the same person; real conflicts need evidence.")
            .AppendLine()
            .AppendLine("Conflict tips:")
            .AppendLine($"- Loud or agitated audio but a neutral face: measure the audio with {MediaMetricsTool.ToolName}. If the audio really is loud, fail au: the face tracker likely missed the expression.")
            .AppendLine($"- \"High energy\", lots of movement or gestures claimed: check with {VideoMotionTool.ToolName}. It measures pixel change of whole frames, so a talking head filmed by a still camera can read as static; treat it as evidence, not proof.")
            .AppendLine("- Neutral AU rule: pass a neutral AU result only if the other outputs describe a calm, low-arousal state.")
            .AppendLine();
        AppendContext(text, view);
        text.AppendLine()
            .AppendLine("Your verification plan:")
            .AppendLine(plan.Trim())
            .AppendLine()
            .AppendLine("Tools (there is no shell and no code execution; arguments must match each tool's schema):");
        AppendToolList(text, view.Tools);
        text.AppendLine()
            .AppendLine("Answer with ONLY one JSON object in a ```json block, nothing else. Either call a tool:")
            .AppendLine("```json")
            .AppendLine($"{{\"action\": \"{GateAnswerParser.ToolUseAction}\", \"tool\": \"<tool name>\", \"arguments\": {{}}}}")
            .AppendLine("```")
            .AppendLine("and you will get its output, or give the final decision for every output under review:")
            .AppendLine("```json")
            .Append($"{{\"action\": \"{GateAnswerParser.FinalDecisionAction}\", \"evaluation\": {{")
            .AppendJoin(", ", view.UnderReview.Select(m => $"\"{m.Key()}\": {{\"status\": \"pass\", \"reason\": \"<why>\"}}"))
            .AppendLine("}}")
            .AppendLine("```")
            .AppendLine("status is \"pass\" or \"fail\"; reason is a non-empty sentence. The answer must validate against this JSON Schema:")
            .AppendLine(GateAnswerSchema.Text(view.Rules))
            .AppendLine()
            .AppendLine("Conversation so far (your answers and the gate's replies):");
        return text.ToString();
    }

    public static string Refinement(GateInput input, GateModality modality, string reason, string rejectedOutput, string? originalInstruction, string? lastInstruction)
    {
        var text = new StringBuilder();
        text.AppendLine($"You write instructions for the model that produces the {Product(modality)} of an emotion recognition pipeline (task: {input.Task.DisplayName()}).")
            .AppendLine("Quality control rejected the output produced with the instruction below.")
            .AppendLine()
            .AppendLine("Rejection reason:")
            .AppendLine(reason.Trim())
            .AppendLine()
            .AppendLine("Rejected output:")
            .AppendLine(Clip(rejectedOutput))
            .AppendLine()
            .AppendLine("Original instruction:")
            .AppendLine(string.IsNullOrWhiteSpace(originalInstruction) ? "(not available; infer the goal from the rejected output)" : originalInstruction.Trim());
        if (!string.IsNullOrWhiteSpace(lastInstruction) && lastInstruction != originalInstruction)
        {
            text.AppendLine()
                .AppendLine("Most recent (refined) instruction, which also produced a rejected output:")
                .AppendLine(lastInstruction.Trim());
        }

        text.AppendLine()
            .AppendLine("Write a refined instruction that:")
            .AppendLine("- fixes exactly the problem named in the rejection reason;")
            .AppendLine("- asks for precise, concrete observations and for reporting only what can actually be perceived, never invented details;")
            .AppendLine("- keeps the goal, the output format and any label or constraint of the original instruction.")
            .AppendLine("Output only the instruction text, with no preamble, quotes or explanation.");
        return text.ToString();
    }

    /// <summary>Used when the refiner answers with nothing: the original instruction plus the rejection reason.</summary>
    public static string FallbackRefinement(string? originalInstruction, string reason)
    {
        var goal = string.IsNullOrWhiteSpace(originalInstruction)
            ? "Describe the emotional cues of this input precisely."
            : originalInstruction.Trim();
        return $"{goal}\n\nA previous answer was rejected by quality control because: {reason.Trim()}\n"
               + "Address this precisely and report only what can actually be perceived.";
    }

    /// <summary>The instruction inside a refiner answer: without a wrapping code fence, quotes or "Refined instruction:" label.</summary>
    public static string CleanRefinedInstruction(string? answer)
    {
        var text = (answer ?? "").Trim();
        if (text.StartsWith("```", StringComparison.Ordinal) && text.EndsWith("```", StringComparison.Ordinal) && text.Length >= 6)
        {
            text = text[3..^3];
            var firstLineEnd = text.IndexOf('\n');
            // A fence's first line is its language tag (often empty).
            if (firstLineEnd >= 0 && !text[..firstLineEnd].Trim().Contains(' ', StringComparison.Ordinal)) text = text[(firstLineEnd + 1)..];
            text = text.Trim();
        }

        foreach (var label in (string[])["Refined instruction:", "Refined prompt:", "Instruction:"])
        {
            if (text.StartsWith(label, StringComparison.OrdinalIgnoreCase)) text = text[label.Length..].Trim();
        }

        if (text.Length >= 2 && ((text[0] == '"' && text[^1] == '"') || (text[0] == '\'' && text[^1] == '\''))) text = text[1..^1].Trim();
        return text;
    }

    public static string Correction(IReadOnlyList<string> problems) =>
        "GATE: your last answer was not accepted:\n"
        + string.Join("\n", problems.Select(p => "- " + p))
        + "\nAnswer again with exactly one JSON object in a ```json block that validates against the schema above.";

    public static string AnswerEntry(int turn, string answer) => $"\n[answer {turn}]\n{answer.Trim()}\n";

    public static string ToolOutputEntry(string tool, string output) => $"TOOL_OUTPUT ({tool}):\n{output}\n";

    private static void AppendContext(StringBuilder text, GateRoundView view)
    {
        var input = view.Input;
        text.AppendLine($"Sample: {input.SampleId}")
            .AppendLine($"Task: {input.Task.DisplayName()}");
        if (!string.IsNullOrWhiteSpace(input.GroundTruthLabel))
            text.AppendLine($"Ground-truth label: {input.GroundTruthLabel.Trim()} (a reference for consistency, not a reason to accept an output that lacks evidence)");
        if (view.Round > 1)
        {
            text.AppendLine($"Round {view.Round}: outputs rejected before were regenerated with refined instructions.");
            if (view.Regenerated.Count > 0) text.AppendLine($"Regenerated for this round: {string.Join(", ", view.Regenerated.Select(m => m.Key()))}.");
        }

        if (view.Feedback.Count > 0)
        {
            text.AppendLine("Earlier rejections:");
            foreach (var feedback in view.Feedback) text.AppendLine($"- round {feedback.Round}, {feedback.Modality.Key()}: {feedback.Reason}");
        }

        text.AppendLine()
            .AppendLine("Outputs under review:");
        foreach (var modality in view.UnderReview)
        {
            text.AppendLine($"[{modality.Key()}] {Heading(modality, input)}:");
            if (modality == GateModality.Au)
            {
                text.AppendLine($"AU description at the overall peak frame: {Clip(view.Evidence.PeakFrameAuDescription)}")
                    .AppendLine($"Chronological emotion peaks: {(view.Evidence.DetectedEmotions.Count == 0 ? "(none)" : string.Join("; ", view.Evidence.DetectedEmotions))}");
            }
            else
            {
                text.AppendLine(Clip(view.Evidence.Text(modality)));
            }

            text.AppendLine();
        }

        foreach (var (modality, why) in view.Excluded) text.AppendLine($"Not under review: {modality.Key()} ({why}).");
    }

    private static void AppendToolList(StringBuilder text, IReadOnlyList<IGateTool> tools)
    {
        if (tools.Count == 0)
        {
            text.AppendLine("(none for this sample: judge from the texts alone)");
            return;
        }

        foreach (var tool in tools)
            text.AppendLine($"- {tool.Name}: {tool.Description} Arguments: {GateToolParameter.SchemaText(tool.Parameters)}");
    }

    private static string Heading(GateModality modality, GateInput input) =>
        modality is GateModality.PeakFrame or GateModality.Au && input.PeakFrameTimestampSeconds is { } at
            ? $"{modality.Title()} (overall peak frame at {at.ToString("0.00", CultureInfo.InvariantCulture)} s)"
            : modality.Title();

    private static string Criterion(GateModality modality) => modality switch
    {
        GateModality.Audio => "names concrete emotional cues in the voice (tone, pitch, pace, loudness) and reports the speech content without inventing words.",
        GateModality.Video => "describes body language, facial movements, gestures and context over time, concretely enough to support an emotion judgement.",
        GateModality.PeakFrame => "describes the main visual elements and the facial expression at the peak frame, without claims a single still image cannot show.",
        GateModality.Au => "the Action Unit description and emotion peaks are plausible and agree with the other outputs (see the neutral AU rule).",
        _ => throw new ArgumentOutOfRangeException(nameof(modality), modality, "Unknown gate modality."),
    };

    private static string Product(GateModality modality) => modality switch
    {
        GateModality.Audio => "audio analysis (speech transcript and vocal emotional cues)",
        GateModality.Video => "video description (body language, facial movements, context)",
        GateModality.PeakFrame => "peak-frame image description (visual elements and facial expression)",
        _ => throw new ArgumentOutOfRangeException(nameof(modality), modality, "Only audio, video and peak_frame are generated from a prompt."),
    };

    private static string Clip(string text) =>
        text.Length <= MaxEvidenceChars ? text.Trim() : text[..MaxEvidenceChars].Trim() + $" [cut: {text.Length - MaxEvidenceChars} more characters]";
}
