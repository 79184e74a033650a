using MerFactory.Contracts;
using MerFactory.Contracts.Llm;
using MerFactory.GateAgent;

namespace MerFactory.Pipeline.Orchestration;

/// <summary>
/// <c>--use-gate-agent</c> over the pipeline's own steps: the agent's calls are "gate" LLM steps, its regenerations are
/// the audio/video/image steps again with the refined instruction (a new prompt, so a new step key: the refinement is
/// never answered from an earlier cache entry), its media tools run as media steps (<see cref="StepGateMedia"/>) and
/// its AU tool reads a local copy of the AU table.
/// </summary>
public sealed class GateAgentEvidenceGate(GateAgentRunner runner, GateOptions options) : IEvidenceGate
{
    public async Task<MerEvidence> RunAsync(FileSteps steps, MerEvidence evidence, GateMedia media, CancellationToken cancellationToken)
    {
        var run = steps.Run;
        var workspace = Directory.CreateTempSubdirectory("merfactory-gate-");
        try
        {
            var store = run.Job.Store;
            async Task<string?> Local(ObjectReference? reference, string name)
            {
                if (reference is null) return null;
                var path = Path.Combine(workspace.FullName, name + Path.GetExtension(reference.Key));
                await run.Output.CopyArtifactAsync(store, reference, path, cancellationToken).ConfigureAwait(false);
                return path;
            }

            var prompts = run.Job.Prompts;
            var input = new GateInput
            {
                SampleId = run.Id,
                Evidence = new GateEvidence
                {
                    AudioAnalysis = evidence.AudioAnalysis ?? "",
                    VideoDescription = evidence.VideoDescription ?? "",
                    PeakFrameDescription = evidence.VisualDescription ?? "",
                    PeakFrameAuDescription = evidence.PeakAuDescription,
                    DetectedEmotions = evidence.Peaks,
                },
                PeakFrameTimestampSeconds = media.PeakTimestamp,
                GroundTruthLabel = run.Label,
                Task = run.Job.Options.Task == TaskKind.SentimentAnalysis ? GateTask.SentimentAnalysis : GateTask.Merr,
                // Media measurements run as media steps; only the small AU table is read here.
                Media = new StepGateMedia(steps, run.Source, media.Wav),
                AuCsvPath = await Local(media.AuCsv, "au").ConfigureAwait(false),
                TranscriptText = media.Transcript?.Text,
                TranscriptSegments = media.Transcript?.Segments.Select(s => new GateTranscriptSegment(s.Start, s.End, s.Text,
                    s.Words.Select(w => new GateTranscriptWord(w.Word, w.Start, w.End)).ToList())).ToList() ?? [],
                // The instructions the MER pipeline really sent (no label: spec §2.3), so refinements start from them.
                OriginalPrompts = new Dictionary<GateModality, string>
                {
                    [GateModality.Audio] = prompts.AudioAnalysis(),
                    [GateModality.Video] = prompts.VideoDescription(),
                    [GateModality.PeakFrame] = prompts.ImageDescription(),
                },
            };

            var model = new GateStepModel(steps);
            var outcome = await runner.RunAsync(input, model, async (modality, instruction, ct) => modality switch
            {
                GateModality.Audio when media.Wav is not null => await steps.AskAsync("audio", instruction, [media.Wav], media.AudioEvidence, ct).ConfigureAwait(false),
                GateModality.Video => await steps.AskAsync("video", instruction, [run.Source], media.VideoEvidence, ct).ConfigureAwait(false),
                GateModality.PeakFrame => await steps.AskAsync("image", instruction, [media.PeakFrame], null, ct).ConfigureAwait(false),
                _ => null,
            } ?? "", options, cancellationToken).ConfigureAwait(false);

            if (model.Skipped is { } reason)
            {
                run.Note($"gate agent skipped: {reason}");
                return evidence;
            }
            await RefinedPromptFiles.WriteAsync(outcome.RefinedPrompts, run.Output.FileFolder(run.Id), cancellationToken).ConfigureAwait(false);
            await run.Output.WriteTextAsync(run.FilePath("_gate.json"), outcome.ToJson(), cancellationToken).ConfigureAwait(false);
            var gated = outcome.Evidence;
            foreach (var decision in outcome.Decisions.Where(d => !d.Kept && d.Verdict != GateVerdict.NotPresent))
                run.Note($"gate agent: {decision.Modality.Key()} {decision.Verdict} ({decision.Reason})");
            return new MerEvidence(gated.DetectedEmotions, gated.PeakFrameAuDescription, Empty(gated.PeakFrameDescription), Empty(gated.AudioAnalysis), Empty(gated.VideoDescription));
        }
        finally
        {
            workspace.Delete(recursive: true);
        }
    }

    private static string? Empty(string text) => string.IsNullOrWhiteSpace(text) ? null : text;

    /// <summary>The agent's text calls as "gate" LLM steps; a skipped step (no model for it) ends the gate without changes.</summary>
    private sealed class GateStepModel(FileSteps steps) : IGateModel
    {
        public string? Skipped { get; private set; }

        public async Task<string> CompleteAsync(string prompt, CancellationToken cancellationToken)
        {
            if (Skipped is not null) return "";
            var answer = await steps.AskAsync("gate", prompt, [], null, cancellationToken).ConfigureAwait(false);
            if (answer is null) Skipped = "no model answers the gate step";
            return answer ?? "";
        }
    }
}
