using MerFactory.Contracts;
using MerFactory.Contracts.Llm;
using MerFactory.Contracts.Media;
using MerFactory.Contracts.Speech;
using MerFactory.Llm.Prompts;
using MerFactory.Pipeline.Synthesis;

namespace MerFactory.Pipeline.Orchestration;

/// <summary>
/// MER-Factory's MER pipeline for one file: the audio, face and video branches run concurrently, the optional gate agent
/// reviews their clues, and the synthesis writes <c>{id}_merr_data.json</c>. With <c>--cache</c>, results of earlier
/// single-modality runs stand in for their steps (<see cref="EarlierResults"/>).
/// </summary>
internal sealed class MerPipeline(FileSteps steps, EvidenceSteps evidence, IEvidenceGate? gate)
{
    private FileRun Run => steps.Run;

    public async Task RunAsync(MediaProbed probe, CancellationToken cancellationToken)
    {
        var run = Run;
        var prompts = run.Job.Prompts;
        var reuse = run.Job.Options.Cache ? EarlierResults.Of(run.Input, run.Job.Options, run.Output) : EarlierResults.None;
        IReadOnlyList<ObjectReference> videoFrames = [];

        // Audio branch: WAV → transcript (our ASR, evidence for every later step) → the audio description.
        var wavTask = probe.HasAudio ? evidence.ExtractWavAsync(copyToOutput: true, cancellationToken) : Task.FromResult<ObjectReference?>(null);
        var transcriptTask = evidence.TranscriptAfterAsync(wavTask, cancellationToken);
        var audioTask = AudioDescriptionAsync();
        // Face branch: AU rows → FACS peaks → the overall peak frame → its visual description.
        var faceTask = FaceBranchAsync(reuse, cancellationToken);
        // Video branch: sampled frames (evidence for models without video) → the video description.
        var videoTask = VideoDescriptionAsync();
        if (!probe.HasAudio) run.Note("no audio track: the audio clue is null");

        var face = await faceTask.ConfigureAwait(false);
        var audio = await audioTask.ConfigureAwait(false);
        var video = await videoTask.ConfigureAwait(false);
        var wav = await wavTask.ConfigureAwait(false);
        var transcript = await transcriptTask.ConfigureAwait(false);

        var clues = new MerEvidence(face.Peaks, face.PeakAuDescription, face.VisualDescription, audio, video);
        if (run.Job.Options.UseGateAgent)
        {
            if (gate is null) run.Note("gate agent requested but not available in this deployment");
            else
            {
                var gateMedia = new GateMedia(wav, face.PeakFrame, face.PeakTimestamp, face.AuCsv, transcript,
                    EvidenceSteps.Evidence(transcript), EvidenceSteps.Evidence(transcript, videoFrames));
                clues = await gate.RunAsync(steps, clues, gateMedia, cancellationToken).ConfigureAwait(false);
            }
        }

        var merClues = new MerClues(clues.Peaks, face.PeakTimestamp, clues.PeakAuDescription, clues.VisualDescription, clues.AudioAnalysis, clues.VideoDescription, run.Label);
        var summary = await steps.SynthesizeAsync(prompts.Synthesis(run.Job.SynthesisTask, ClueContext.ForMer(merClues, run.Job.SynthesisTask), run.Label), isImage: false, cancellationToken).ConfigureAwait(false);
        if (summary is null) return;
        var record = new MerRecord(run.RecordedSourcePath, wav is null ? null : run.RecordedOutputPath(".wav"), clues.Peaks, face.PeakInfo,
            clues.PeakAuDescription, clues.VisualDescription, clues.AudioAnalysis, clues.VideoDescription, summary, run.Label) { Degraded = run.Degraded };
        await run.Output.WriteTextAsync(run.FilePath("_merr_data.json"), SampleDocuments.Mer(record), cancellationToken).ConfigureAwait(false);

        async Task<string?> AudioDescriptionAsync()
        {
            if (reuse.AudioAnalysis is not null) { run.Record(new StepRecord("llm-audio", "reused", 0, Note: "from " + run.RecordedOutputPath("_audio_analysis.json"))); return reuse.AudioAnalysis; }
            var wavReference = await wavTask.ConfigureAwait(false);
            if (wavReference is null) return null;
            var transcript = await transcriptTask.ConfigureAwait(false);
            return await steps.AskAsync("audio", prompts.AudioAnalysis(), [wavReference], EvidenceSteps.Evidence(transcript), cancellationToken).ConfigureAwait(false);
        }

        async Task<string?> VideoDescriptionAsync()
        {
            if (reuse.VideoDescription is not null) { run.Record(new StepRecord("llm-video", "reused", 0, Note: "from " + run.RecordedOutputPath("_video_analysis.json"))); return reuse.VideoDescription; }
            var frames = videoFrames = await evidence.SampleFramesAsync(cancellationToken).ConfigureAwait(false);
            var transcript = await transcriptTask.ConfigureAwait(false);
            return await steps.AskAsync("video", prompts.VideoDescription(), [run.Source], EvidenceSteps.Evidence(transcript, frames), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<FaceBranch> FaceBranchAsync(EarlierResults reuse, CancellationToken cancellationToken)
    {
        var run = Run;
        var facs = await evidence.FacialAnalysisAsync(isImage: false, cancellationToken).ConfigureAwait(false);
        // The AU record too (MER-Factory's MER run kept it only in memory): it stands without any LLM, and a later
        // `--type AU --cache` run finds it done.
        await run.Output.CopyArtifactAsync(run.Job.Store, facs.Result.Document, run.FilePath("_au_analysis.json"), cancellationToken).ConfigureAwait(false);
        var result = facs.Result;
        var timestamp = result.PeakTimestamp ?? 0;
        var peakFrame = (await steps.RunAsync(new ExtractFrame(run.Job.JobId, run.Id, run.Source, timestamp), cancellationToken).ConfigureAwait(false)).Response.Frame;
        await run.Output.CopyArtifactAsync(run.Job.Store, peakFrame, run.FilePath("_peak_frame.png"), cancellationToken).ConfigureAwait(false);
        // The peak-frame description never sees the label (spec §2.3), so it cannot leak into the "objective" clue.
        var visual = await steps.AskAsync("image", run.Job.Prompts.ImageDescription(), [peakFrame], null, cancellationToken).ConfigureAwait(false);
        var peaks = reuse.EmotionPeaks ?? result.ChronologicalEmotionPeaks;
        if (reuse.EmotionPeaks is not null) run.Record(new StepRecord("facs-peaks", "reused", 0, Note: "from " + run.RecordedOutputPath("_au_analysis.json")));
        var info = result.PeakFrameNumber is { } frame
            ? new PeakFrameInfo(frame, timestamp, [.. result.TopAusIntensities])
            : null;
        return new FaceBranch(peaks, result.OverallPeakAuDescription, visual, timestamp, info, peakFrame, facs.Csv);
    }

    private sealed record FaceBranch(IReadOnlyList<string> Peaks, string PeakAuDescription, string? VisualDescription, double PeakTimestamp,
        PeakFrameInfo? PeakInfo, ObjectReference PeakFrame, ObjectReference AuCsv);
}

/// <summary>The per-modality clues of a MER sample before synthesis; the gate agent may refine, drop or reject them.</summary>
public sealed record MerEvidence(IReadOnlyList<string> Peaks, string PeakAuDescription, string? VisualDescription, string? AudioAnalysis, string? VideoDescription);

/// <summary>A quality gate over the MER clues before synthesis (<c>--use-gate-agent</c>).</summary>
public interface IEvidenceGate
{
    Task<MerEvidence> RunAsync(FileSteps steps, MerEvidence evidence, GateMedia media, CancellationToken cancellationToken);
}

/// <summary>Media the gate agent's tools may inspect, and the evidence the regenerated steps send again.</summary>
public sealed record GateMedia(ObjectReference? Wav, ObjectReference PeakFrame, double PeakTimestamp, ObjectReference AuCsv, AudioTranscribed? Transcript,
    LlmEvidenceRefs? AudioEvidence, LlmEvidenceRefs? VideoEvidence);

/// <summary>
/// Sidecar <c>{id}_media.json</c>: what the probe found (MER-Factory has no equivalent), and for an uploaded input its
/// object-store key (<see cref="SourceKey"/>, e.g. <c>uploads/{owner}/…</c>; null for local inputs).
/// </summary>
public sealed record MediaSummary(string SourcePath, string Kind, MediaProbed Probe, bool HasAudio, string? SourceKey = null);
