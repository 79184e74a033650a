using System.Diagnostics;
using System.Globalization;
using System.Text;
using MerFactory.GateAgent.Decisions;
using MerFactory.GateAgent.Prompts;
using MerFactory.GateAgent.Tools;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MerFactory.GateAgent;

/// <summary>
/// MER-Factory's Gate Agent (<c>--use-gate-agent</c>, spec §2.5) without its hazards: plan, verify with built-in tools
/// (no shell, no code), decide pass/fail per modality in schema-validated JSON, refine and regenerate failed modalities
/// within <see cref="GateOptions.MaxRetriesPerModality"/>, then drop what still fails or reject the AU evidence.
/// Every loop is bounded (turns, retries, total model calls), so a run always ends.
/// </summary>
public sealed partial class GateAgentRunner
{
    public static readonly ActivitySource Activity = new("MerFactory.GateAgent");

    private readonly GateToolbox _toolbox;
    private readonly ILogger _logger;

    public GateAgentRunner(GateToolbox? toolbox = null, ILogger<GateAgentRunner>? logger = null)
    {
        _toolbox = toolbox ?? GateToolbox.CreateDefault();
        _logger = logger ?? NullLogger<GateAgentRunner>.Instance;
    }

    /// <summary>Runs the gate for one sample.</summary>
    /// <param name="regenerate">
    /// Produces a modality's output again with the refined instruction as its prompt (audio, video or peak_frame; never au).
    /// It must not answer from a cache keyed on the old prompt. Its exceptions propagate.
    /// </param>
    public async Task<GateOutcome> RunAsync(
        GateInput input,
        IGateModel model,
        Func<GateModality, string, CancellationToken, Task<string>> regenerate,
        GateOptions options,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(input.Evidence);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(regenerate);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        using var activity = Activity.StartActivity("gate-agent");
        activity?.SetTag("merfactory.sample", input.SampleId);
        var run = new GateRun(this, input, model, regenerate, options);
        var outcome = await run.ExecuteAsync(cancellationToken).ConfigureAwait(false);
        activity?.SetTag("merfactory.gate.rounds", outcome.Rounds);
        activity?.SetTag("merfactory.gate.model_calls", outcome.ModelCalls);
        activity?.SetTag("merfactory.gate.au_rejected", outcome.AuRejected);
        activity?.SetTag("merfactory.gate.dropped", string.Join(",", outcome.Decisions.Where(d => d.Verdict == GateVerdict.Dropped).Select(d => d.Modality.Key())));
        LogFinished(_logger, input.SampleId, outcome.Rounds, outcome.ModelCalls, string.Join(", ", outcome.Decisions.Select(d => $"{d.Modality.Key()}={d.Verdict}")));
        return outcome;
    }

    /// <summary>The evolving state of one modality across rounds.</summary>
    private sealed class ModalityState(GateModality modality, bool present, string? originalInstruction)
    {
        public GateModality Modality { get; } = modality;

        public bool Present { get; } = present;

        public string? OriginalInstruction { get; } = originalInstruction;

        public string? LastInstruction { get; set; } = originalInstruction;

        /// <summary>Null while its current text awaits a verdict.</summary>
        public GateVerdict? Verdict { get; set; }

        public string Reason { get; set; } = "";

        public int Retries { get; set; }

        public bool CurrentTextEvaluated { get; set; }

        public List<GateEvaluation> Evaluations { get; } = [];

        public bool UnderReview => Present && (Verdict is null or GateVerdict.Passed);

        public GateModalityDecision ToDecision() =>
            new(Modality, Present ? Verdict ?? GateVerdict.PassedUndecided : GateVerdict.NotPresent, Present ? Reason : "no output to judge", Retries, [.. Evaluations]);
    }

    /// <summary>An evaluation round's result: a verdict per modality, or why none came.</summary>
    private sealed record RoundResult(IReadOnlyDictionary<GateModality, ModalityVerdict>? Verdicts, string UndecidedReason);

    private sealed class GateRun(
        GateAgentRunner owner,
        GateInput input,
        IGateModel model,
        Func<GateModality, string, CancellationToken, Task<string>> regenerate,
        GateOptions options)
    {
        private readonly GateToolContext _tools = new(input, options);
        private readonly List<GateLogEntry> _log = [];
        private readonly List<RefinedPrompt> _refined = [];
        private readonly List<GateFeedback> _feedback = [];
        private readonly List<ModalityState> _states = [.. GateModalities.All.Select(m =>
            new ModalityState(m, input.Evidence.IsPresent(m), input.OriginalPrompts.GetValueOrDefault(m)))];
        private GateEvidence _evidence = input.Evidence;
        private int _calls;
        private int _round;

        private ILogger Logger => owner._logger;

        private bool BudgetLeft => _calls < options.MaxModelCalls;

        public async Task<GateOutcome> ExecuteAsync(CancellationToken cancellationToken)
        {
            var offered = owner._toolbox.AvailableFor(_tools);
            IReadOnlyCollection<GateModality> regenerated = [];
            while (true)
            {
                var review = _states.Where(s => s.UnderReview).ToList();
                if (review.Count == 0) break;
                _round++;
                var view = new GateRoundView(input, _evidence, _round, [.. review.Select(s => s.Modality)], Excluded(), regenerated,
                    [.. _feedback], offered, new GateAnswerRules([.. review.Select(s => s.Modality)], [.. offered.Select(t => t.Name)]));
                LogRoundStarted(Logger, input.SampleId, _round, string.Join(", ", view.UnderReview.Select(m => m.Key())));

                var result = await EvaluateRoundAsync(view, cancellationToken).ConfigureAwait(false);
                if (result.Verdicts is null)
                {
                    KeepUndecided(review, result.UndecidedReason);
                    break;
                }

                var retried = new List<GateModality>();
                foreach (var state in review)
                {
                    if (await ApplyAsync(state, result.Verdicts[state.Modality], cancellationToken).ConfigureAwait(false)) retried.Add(state.Modality);
                }

                if (retried.Count == 0) break;
                regenerated = retried;
            }

            return new GateOutcome
            {
                SampleId = input.SampleId,
                Evidence = _evidence,
                AuRejected = _states.Any(s => s.Verdict == GateVerdict.AuRejected),
                Decisions = [.. _states.Select(s => s.ToDecision())],
                RefinedPrompts = [.. _refined],
                ModelCalls = _calls,
                Rounds = _round,
                Log = [.. _log],
            };
        }

        private async Task<RoundResult> EvaluateRoundAsync(GateRoundView view, CancellationToken cancellationToken)
        {
            string plan;
            // The plan is worth a call only when one is left for the evaluation itself.
            if (options.MaxModelCalls - _calls >= 2)
            {
                var planningPrompt = GatePrompts.Planning(view);
                Record(GateLogKind.PlanningPrompt, planningPrompt);
                plan = TextLimits.Cut((await CallAsync(planningPrompt, cancellationToken).ConfigureAwait(false)).Trim(), options.MaxAnswerChars);
                Record(GateLogKind.Plan, plan);
                if (plan.Length == 0) plan = "(no plan was given: check the points in the criteria)";
            }
            else
            {
                plan = "(no plan: the model call budget is nearly used up)";
            }

            var conversation = new StringBuilder(GatePrompts.Evaluation(view, plan));
            Record(GateLogKind.EvaluationPrompt, conversation.ToString());
            for (var turn = 1; turn <= options.MaxTurns; turn++)
            {
                if (!BudgetLeft) return Undecided($"undecided: the model call budget ({options.MaxModelCalls}) ran out before a final decision; kept");
                var answer = await CallAsync(conversation.ToString(), cancellationToken).ConfigureAwait(false);
                Record(GateLogKind.ModelAnswer, answer);
                conversation.Append(GatePrompts.AnswerEntry(turn, TextLimits.Cut(answer, options.MaxAnswerChars)));
                switch (GateAnswerParser.Parse(answer, view.Rules))
                {
                    case FinalDecisionAnswer decision:
                        return new RoundResult(decision.Evaluation, "");
                    case ToolUseAnswer toolUse:
                        LogToolUsed(Logger, input.SampleId, _round, turn, toolUse.Tool);
                        var output = await owner._toolbox.InvokeAsync(toolUse.Tool, toolUse.Arguments, _tools, cancellationToken).ConfigureAwait(false);
                        var entry = GatePrompts.ToolOutputEntry(toolUse.Tool, output);
                        conversation.Append(entry);
                        Record(GateLogKind.ToolResult, entry);
                        break;
                    case InvalidAnswer invalid:
                        LogAnswerRejected(Logger, input.SampleId, _round, turn, string.Join(" ", invalid.Problems));
                        var correction = GatePrompts.Correction(invalid.Problems);
                        conversation.Append(correction).Append('\n');
                        Record(GateLogKind.Correction, correction);
                        break;
                }
            }

            return Undecided($"undecided: no valid final decision within {options.MaxTurns} turn(s); kept");
        }

        /// <summary>Applies one verdict; true when the modality was regenerated and needs another round.</summary>
        private async Task<bool> ApplyAsync(ModalityState state, ModalityVerdict verdict, CancellationToken cancellationToken)
        {
            var modality = state.Modality;
            state.Evaluations.Add(new GateEvaluation(_round, verdict.Passed, verdict.Reason));
            state.CurrentTextEvaluated = true;
            if (verdict.Passed)
            {
                state.Verdict = GateVerdict.Passed;
                state.Reason = verdict.Reason;
                Record(GateLogKind.Decision, $"{modality.Key()}: pass ({verdict.Reason})");
                return false;
            }

            _feedback.Add(new GateFeedback(_round, modality, verdict.Reason));
            if (!modality.IsRegenerable())
            {
                _evidence = _evidence.WithAuRejected();
                state.Verdict = GateVerdict.AuRejected;
                state.Reason = verdict.Reason;
                Record(GateLogKind.Decision, $"au: fail, AU evidence rejected ({verdict.Reason})");
                LogAuRejected(Logger, input.SampleId, verdict.Reason);
                return false;
            }

            if (state.Retries >= options.MaxRetriesPerModality)
            {
                Drop(state, $"failed with no retry left ({state.Retries} of {options.MaxRetriesPerModality} used): {verdict.Reason}");
                return false;
            }

            if (!BudgetLeft)
            {
                Drop(state, $"failed and the model call budget ({options.MaxModelCalls}) left no call to refine it: {verdict.Reason}");
                return false;
            }

            var rejectedOutput = _evidence.Text(modality);
            var refinementPrompt = GatePrompts.Refinement(input, modality, verdict.Reason, rejectedOutput, state.OriginalInstruction, state.LastInstruction);
            Record(GateLogKind.RefinementPrompt, refinementPrompt);
            var instruction = GatePrompts.CleanRefinedInstruction(await CallAsync(refinementPrompt, cancellationToken).ConfigureAwait(false));
            if (instruction.Length == 0) instruction = GatePrompts.FallbackRefinement(state.OriginalInstruction, verdict.Reason);
            Record(GateLogKind.RefinedInstruction, instruction);
            state.Retries++;
            state.LastInstruction = instruction;
            _refined.Add(new RefinedPrompt(modality, state.Retries, verdict.Reason, instruction));
            LogRetrying(Logger, input.SampleId, modality.Key(), state.Retries, verdict.Reason);

            var text = (await regenerate(modality, instruction, cancellationToken).ConfigureAwait(false))?.Trim() ?? "";
            Record(GateLogKind.Regenerated, $"{modality.Key()} (attempt {state.Retries.ToString(CultureInfo.InvariantCulture)}):\n{text}");
            if (text.Length == 0)
            {
                Drop(state, $"regeneration with the refined instruction returned no text (first failure: {verdict.Reason})");
                return false;
            }

            _evidence = _evidence.WithText(modality, text);
            state.Verdict = null;
            state.CurrentTextEvaluated = false;
            state.Reason = "";
            return true;
        }

        private void Drop(ModalityState state, string reason)
        {
            _evidence = _evidence.WithText(state.Modality, "");
            state.Verdict = GateVerdict.Dropped;
            state.Reason = reason;
            Record(GateLogKind.Decision, $"{state.Modality.Key()}: dropped ({reason})");
            LogDropped(Logger, input.SampleId, state.Modality.Key(), reason);
        }

        /// <summary>Without a decision, texts nobody judged are kept as they are; ones that passed earlier stay passed.</summary>
        private void KeepUndecided(List<ModalityState> review, string reason)
        {
            LogUndecided(Logger, input.SampleId, _round, reason);
            foreach (var state in review.Where(s => !s.CurrentTextEvaluated))
            {
                state.Verdict = GateVerdict.PassedUndecided;
                state.Reason = reason;
                Record(GateLogKind.Decision, $"{state.Modality.Key()}: {reason}");
            }
        }

        private Dictionary<GateModality, string> Excluded() =>
            _states.Where(s => s.Present && !s.UnderReview).ToDictionary(
                s => s.Modality,
                s => s.Verdict == GateVerdict.AuRejected ? "AU evidence rejected in an earlier round" : "dropped in an earlier round");

        private async Task<string> CallAsync(string prompt, CancellationToken cancellationToken)
        {
            _calls++;
            return await model.CompleteAsync(prompt, cancellationToken).ConfigureAwait(false) ?? "";
        }

        private void Record(GateLogKind kind, string text) => _log.Add(new GateLogEntry(_round, kind, text));

        private static RoundResult Undecided(string reason) => new(null, reason);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Gate {SampleId}: round {Round} reviews {Modalities}")]
    private static partial void LogRoundStarted(ILogger logger, string sampleId, int round, string modalities);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Gate {SampleId}: round {Round} turn {Turn} uses tool {Tool}")]
    private static partial void LogToolUsed(ILogger logger, string sampleId, int round, int turn, string tool);

    [LoggerMessage(Level = LogLevel.Information, Message = "Gate {SampleId}: round {Round} turn {Turn} answer rejected: {Problems}")]
    private static partial void LogAnswerRejected(ILogger logger, string sampleId, int round, int turn, string problems);

    [LoggerMessage(Level = LogLevel.Information, Message = "Gate {SampleId}: {Modality} failed, regenerating (attempt {Attempt}): {Reason}")]
    private static partial void LogRetrying(ILogger logger, string sampleId, string modality, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gate {SampleId}: {Modality} dropped: {Reason}")]
    private static partial void LogDropped(ILogger logger, string sampleId, string modality, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gate {SampleId}: AU evidence rejected: {Reason}")]
    private static partial void LogAuRejected(ILogger logger, string sampleId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gate {SampleId}: round {Round} ended without a decision: {Reason}")]
    private static partial void LogUndecided(ILogger logger, string sampleId, int round, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Gate {SampleId}: finished after {Rounds} round(s) and {ModelCalls} model call(s): {Verdicts}")]
    private static partial void LogFinished(ILogger logger, string sampleId, int rounds, int modelCalls, string verdicts);
}
