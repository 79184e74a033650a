using System.Text.Json;
using MerFactory.Contracts;
using MerFactory.Contracts.Au;
using MerFactory.Contracts.Llm;
using MerFactory.Contracts.Media;
using MerFactory.Contracts.Speech;
using MerFactory.Llm.Prompts;
using MerFactory.Media;
using MerFactory.Pipeline.Consumers;
using MerFactory.Pipeline.Synthesis;
using MerFactory.Speech;
using MerFactory.Steps.Media;

namespace MerFactory.Pipeline.Orchestration;

/// <summary>What the graph did for a file beyond success: e.g. LLM steps skipped because no model is configured.</summary>
public sealed record FileResult(IReadOnlyList<string> Notes);

/// <summary>
/// The graph of steps one file runs through — MER-Factory's five pipelines (spec §2.2) built from step requests, so the
/// same code runs embedded (in-memory bus) and distributed (RabbitMQ). Steps that do not depend on each other run
/// concurrently; each is answered from its committed artifact when it already ran.
/// </summary>
public sealed class FileProcessor(StepRunner steps, IEvidenceGate? gate = null)
{
    /// <summary>Most frames sent as evidence in place of a video the model cannot take.</summary>
    public const int MaxEvidenceFrames = 8;

    private const string NeutralAu = "Neutral expression.";
    private const string NeutralLlmAu = "A neutral facial expression was detected.";

    public async Task<FileResult> ProcessAsync(InputFile input, ObjectReference source, JobContext job, CancellationToken cancellationToken)
    {
        var run = new FileRun(input, source, job);
        var probe = StepRunner.Result<MediaProbe>(await RunStepAsync(run, "probe", new ProbeMedia(job.JobId, input.Id, source), cancellationToken).ConfigureAwait(false));
        Directory.CreateDirectory(job.Output.FileFolder(input.Id));
        var type = JobRunner.EffectiveType(input, job.Options);
        // An uploaded input (a distributed job's) is named by its key too: the client's path means nothing where the records are read.
        var sourceKey = job.Staged?.ContainsKey(input.Id) == true ? source.Key : null;
        await job.Output.WriteJsonAsync(run.FilePath("_media.json"), new MediaSummary(run.RecordedSourcePath, input.Kind.ToString().ToLowerInvariant(), probe, probe.HasAudio, sourceKey), cancellationToken).ConfigureAwait(false);
        if (type is ProcessingType.AU or ProcessingType.MER or ProcessingType.Video && !probe.HasVideo)
            throw new StepFailedException("probe", $"{input.RelativePath}: no video stream, so --type {type} cannot run on it (use --type audio for sound only).");
        if (type == ProcessingType.Image && !probe.HasVideo)
            throw new StepFailedException("probe", $"{input.RelativePath}: not a decodable image");
        if (type == ProcessingType.Audio && !probe.HasAudio)
            throw new StepFailedException("probe", $"{input.RelativePath}: no audio stream, so the audio pipeline has nothing to analyse.");

        try
        {
            switch (type)
            {
                case ProcessingType.AU: await RunAuAsync(run, cancellationToken).ConfigureAwait(false); break;
                case ProcessingType.Audio: await RunAudioAsync(run, cancellationToken).ConfigureAwait(false); break;
                case ProcessingType.Video: await RunVideoAsync(run, probe, cancellationToken).ConfigureAwait(false); break;
                case ProcessingType.Image: await RunImageAsync(run, cancellationToken).ConfigureAwait(false); break;
                case ProcessingType.MER: await RunMerAsync(run, probe, cancellationToken).ConfigureAwait(false); break;
            }
        }
        finally
        {
            // Written even when a step failed: it says what ran, what was reused and where it stopped. A disk that
            // refuses it must not hide the step's own failure.
            try
            {
                await job.Output.WriteJsonAsync(run.FilePath("_steps.json"), run.Document(type), CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                run.Note($"{run.Id}_steps.json not written: {e.Message}");
            }
        }
        return new FileResult(run.Notes);
    }

    // ---- the five pipelines ------------------------------------------------------------------------------------

    private async Task RunAuAsync(FileRun run, CancellationToken cancellationToken)
    {
        var facs = await FacialAnalysisAsync(run, isImage: false, cancellationToken).ConfigureAwait(false);
        await run.Output.CopyArtifactAsync(run.Job.Store, facs.Completed.Outputs["au_analysis.json"], run.FilePath("_au_analysis.json"), cancellationToken).ConfigureAwait(false);
    }

    private async Task RunAudioAsync(FileRun run, CancellationToken cancellationToken)
    {
        var wav = await ExtractWavAsync(run, copyToOutput: run.Input.Kind == MediaKind.Video, cancellationToken).ConfigureAwait(false)
            ?? throw new StepFailedException("extract-audio", $"{run.Input.RelativePath}: no audio stream");
        var transcript = await TranscribeAsync(run, wav, cancellationToken).ConfigureAwait(false);
        // The label guides the audio prompt only in the audio pipeline itself (spec §2.3).
        var analysis = await AskAsync(run, "audio", run.Job.Prompts.AudioAnalysis(run.Label), [wav], Evidence(transcript), cancellationToken).ConfigureAwait(false);
        if (analysis is null) return;
        await run.Output.WriteTextAsync(run.FilePath("_audio_analysis.json"), SampleDocuments.Audio(run.RecordedSourcePath, analysis, run.Degraded), cancellationToken).ConfigureAwait(false);
    }

    private async Task RunVideoAsync(FileRun run, MediaProbe probe, CancellationToken cancellationToken)
    {
        var framesTask = SampleFramesAsync(run, cancellationToken);
        var transcript = probe.HasAudio ? await TranscribeAsync(run, await ExtractWavAsync(run, copyToOutput: false, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false) : null;
        var frames = await framesTask.ConfigureAwait(false);
        var description = await AskAsync(run, "video", run.Job.Prompts.VideoDescription(run.Label), [run.Source], Evidence(transcript, frames), cancellationToken).ConfigureAwait(false);
        if (description is null) return;
        await run.Output.WriteTextAsync(run.FilePath("_video_analysis.json"), SampleDocuments.Video(run.RecordedSourcePath, description, run.Degraded), cancellationToken).ConfigureAwait(false);
    }

    private async Task RunImageAsync(FileRun run, CancellationToken cancellationToken)
    {
        var prompts = run.Job.Prompts;
        var visualTask = AskAsync(run, "image", prompts.ImageDescription(run.Label), [run.Source], null, cancellationToken);
        var facs = await FacialAnalysisAsync(run, isImage: true, cancellationToken).ConfigureAwait(false);
        var auText = facs.NoFace ? "No face detected." : facs.Result.FirstFrameDescription;
        string? llmAu = facs.NoFace ? "No face was detected in the image."
            : auText == NeutralAu ? NeutralLlmAu
            : await AskAsync(run, "facial-expression", prompts.FacialExpression(auText), [], null, cancellationToken).ConfigureAwait(false);
        var visual = await visualTask.ConfigureAwait(false);
        if (llmAu is null) return;

        var context = ClueContext.ForImage(new ImageClues(llmAu, visual, run.Label));
        var summary = await SynthesizeAsync(run, prompts.ImageSynthesis(run.Job.SynthesisTask, context, run.Label), isImage: true, cancellationToken).ConfigureAwait(false);
        if (summary is null) return;
        await run.Output.WriteTextAsync(run.FilePath("_image_analysis.json"), SampleDocuments.Image(new ImageRecord(run.RecordedSourcePath, auText, llmAu, visual, summary, run.Label) { Degraded = run.Degraded }), cancellationToken).ConfigureAwait(false);
    }

    private async Task RunMerAsync(FileRun run, MediaProbe probe, CancellationToken cancellationToken)
    {
        var prompts = run.Job.Prompts;
        var reuse = run.Job.Options.Cache ? ReadEarlierResults(run) : EarlierResults.None;
        IReadOnlyList<ObjectReference> videoFrames = [];

        // Audio branch: WAV → transcript (our ASR, evidence for every later step) → the audio description.
        var wavTask = probe.HasAudio ? ExtractWavAsync(run, copyToOutput: true, cancellationToken) : Task.FromResult<ObjectReference?>(null);
        var transcriptTask = TranscriptAfterAsync(run, wavTask, cancellationToken);
        var audioTask = AudioDescriptionAsync();
        // Face branch: AU rows → FACS peaks → the overall peak frame → its visual description.
        var faceTask = FaceBranchAsync(run, reuse, cancellationToken);
        // Video branch: sampled frames (evidence for models without video) → the video description.
        var videoTask = VideoDescriptionAsync();
        if (!probe.HasAudio) run.Note("no audio track: the audio clue is null");

        var face = await faceTask.ConfigureAwait(false);
        var audio = await audioTask.ConfigureAwait(false);
        var video = await videoTask.ConfigureAwait(false);
        var wav = await wavTask.ConfigureAwait(false);
        var transcript = await transcriptTask.ConfigureAwait(false);

        var evidence = new MerEvidence(face.Peaks, face.PeakAuDescription, face.VisualDescription, audio, video);
        if (run.Job.Options.UseGateAgent)
        {
            if (gate is null) run.Note("gate agent requested but not available in this deployment");
            else
            {
                var gateMedia = new GateMedia(wav, face.PeakFrame, face.PeakTimestamp, face.AuCsv, transcript, Evidence(transcript), Evidence(transcript, videoFrames));
                evidence = await gate.RunAsync(run, this, evidence, gateMedia, cancellationToken).ConfigureAwait(false);
            }
        }

        var clues = new MerClues(evidence.Peaks, face.PeakTimestamp, evidence.PeakAuDescription, evidence.VisualDescription, evidence.AudioAnalysis, evidence.VideoDescription, run.Label);
        var summary = await SynthesizeAsync(run, prompts.Synthesis(run.Job.SynthesisTask, ClueContext.ForMer(clues, run.Job.SynthesisTask), run.Label), isImage: false, cancellationToken).ConfigureAwait(false);
        if (summary is null) return;
        var record = new MerRecord(run.RecordedSourcePath, wav is null ? null : run.RecordedOutputPath(".wav"), evidence.Peaks, face.PeakInfo,
            evidence.PeakAuDescription, evidence.VisualDescription, evidence.AudioAnalysis, evidence.VideoDescription, summary, run.Label) { Degraded = run.Degraded };
        await run.Output.WriteTextAsync(run.FilePath("_merr_data.json"), SampleDocuments.Mer(record), cancellationToken).ConfigureAwait(false);

        async Task<string?> AudioDescriptionAsync()
        {
            if (reuse.AudioAnalysis is not null) { run.Record(new StepRecord("llm-audio", "reused", 0, Note: "from " + run.FilePath("_audio_analysis.json"))); return reuse.AudioAnalysis; }
            var wavReference = await wavTask.ConfigureAwait(false);
            if (wavReference is null) return null;
            var transcript = await transcriptTask.ConfigureAwait(false);
            return await AskAsync(run, "audio", prompts.AudioAnalysis(), [wavReference], Evidence(transcript), cancellationToken).ConfigureAwait(false);
        }

        async Task<string?> VideoDescriptionAsync()
        {
            if (reuse.VideoDescription is not null) { run.Record(new StepRecord("llm-video", "reused", 0, Note: "from " + run.FilePath("_video_analysis.json"))); return reuse.VideoDescription; }
            var frames = videoFrames = await SampleFramesAsync(run, cancellationToken).ConfigureAwait(false);
            var transcript = await transcriptTask.ConfigureAwait(false);
            return await AskAsync(run, "video", prompts.VideoDescription(), [run.Source], Evidence(transcript, frames), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<FaceBranch> FaceBranchAsync(FileRun run, EarlierResults reuse, CancellationToken cancellationToken)
    {
        var facs = await FacialAnalysisAsync(run, isImage: false, cancellationToken).ConfigureAwait(false);
        // The AU record too (MER-Factory's MER run kept it only in memory): it stands without any LLM, and a later
        // `--type AU --cache` run finds it done.
        await run.Output.CopyArtifactAsync(run.Job.Store, facs.Completed.Outputs["au_analysis.json"], run.FilePath("_au_analysis.json"), cancellationToken).ConfigureAwait(false);
        var result = facs.Result;
        var timestamp = result.PeakTimestamp ?? 0;
        var frameStep = await RunStepAsync(run, "extract-frame", new ExtractFrame(run.Job.JobId, run.Id, run.Source, timestamp), cancellationToken).ConfigureAwait(false);
        var peakFrame = frameStep.Outputs["frame.png"];
        await run.Output.CopyArtifactAsync(run.Job.Store, peakFrame, run.FilePath("_peak_frame.png"), cancellationToken).ConfigureAwait(false);
        // The peak-frame description never sees the label (spec §2.3), so it cannot leak into the "objective" clue.
        var visual = await AskAsync(run, "image", run.Job.Prompts.ImageDescription(), [peakFrame], null, cancellationToken).ConfigureAwait(false);
        var description = result.OverallPeakAuDescription;
        var peaks = reuse.EmotionPeaks ?? result.ChronologicalEmotionPeaks;
        if (reuse.EmotionPeaks is not null) run.Record(new StepRecord("facs-peaks", "reused", 0, Note: "from " + run.FilePath("_au_analysis.json")));
        var info = result.PeakFrameNumber is { } frame
            ? new PeakFrameInfo(frame, timestamp, [.. result.TopAusIntensities])
            : null;
        return new FaceBranch(peaks, description, visual, timestamp, info, peakFrame, facs.Csv);
    }

    // ---- steps -------------------------------------------------------------------------------------------------

    private async Task<StepCompleted> RunStepAsync<TRequest>(FileRun run, string step, TRequest request, CancellationToken cancellationToken)
        where TRequest : class, IStepRequest
    {
        var clock = FileRun.Clock();
        var completed = await steps.RunAsync(step, request, cancellationToken).ConfigureAwait(false);
        run.Record(new StepRecord(step, completed.FromCache ? "cached" : "completed", clock.Elapsed.TotalSeconds, completed.StepKey));
        return completed;
    }

    private async Task<FacsOutcome> FacialAnalysisAsync(FileRun run, bool isImage, CancellationToken cancellationToken)
    {
        var job = run.Job;
        var existing = run.FilePath(".csv");
        if (File.Exists(existing) && new FileInfo(existing).Length > 0)
            return await AnalyseExistingCsvAsync(run, existing, cancellationToken).ConfigureAwait(false);
        var au = await RunStepAsync(run, "au-extract", new ExtractActionUnits(job.JobId, run.Id, run.Source, isImage, job.Options.AuSampleFps, AllFaces: false), cancellationToken).ConfigureAwait(false);
        var csv = au.Outputs["au.csv"];
        await run.Output.CopyArtifactAsync(job.Store, csv, run.FilePath(".csv"), cancellationToken).ConfigureAwait(false);
        var extraction = StepRunner.Result<AuExtractionResult>(au);
        if (extraction.NoFaceFound) run.Note("no face found: AU rows are marked success=0");
        var facs = await RunStepAsync(run, "facs-analysis", new AnalyzeFacialExpression(job.JobId, run.Id, csv, run.RecordedSourcePath, job.Options.Threshold, job.Options.PeakDistance), cancellationToken).ConfigureAwait(false);
        return new FacsOutcome(StepRunner.Result<FacialExpressionResult>(facs), facs, csv, extraction.NoFaceFound);
    }

    /// <summary>
    /// An AU CSV already at OUT/{id}/{id}.csv (OpenFace's, or an earlier run's) is analysed as it is and never
    /// overwritten, as MER-Factory skips OpenFace when its CSV exists.
    /// </summary>
    private async Task<FacsOutcome> AnalyseExistingCsvAsync(FileRun run, string path, CancellationToken cancellationToken)
    {
        var job = run.Job;
        // A copy goes to the store under its content hash (steps read artifacts from there; a re-run stores nothing
        // new); the file itself is only read.
        var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        var sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
        var info = await job.Store.PutAsync($"provided-au/{sha256}/au.csv", new MemoryStream(bytes), "text/csv", cancellationToken).ConfigureAwait(false);
        var csv = new ObjectReference(job.Store.Bucket, info.Key, info.Size, sha256, "text/csv");
        run.Record(new StepRecord("au-extract", "reused", 0, Note: "from " + path));
        var facs = await RunStepAsync(run, "facs-analysis", new AnalyzeFacialExpression(job.JobId, run.Id, csv, run.RecordedSourcePath, job.Options.Threshold, job.Options.PeakDistance), cancellationToken).ConfigureAwait(false);
        return new FacsOutcome(StepRunner.Result<FacialExpressionResult>(facs), facs, csv, false);
    }

    private async Task<ObjectReference?> ExtractWavAsync(FileRun run, bool copyToOutput, CancellationToken cancellationToken)
    {
        var audio = await RunStepAsync(run, "extract-audio", new ExtractAudio(run.Job.JobId, run.Id, run.Source), cancellationToken).ConfigureAwait(false);
        if (!audio.Outputs.TryGetValue("audio.wav", out var wav)) return null;
        if (copyToOutput) await run.Output.CopyArtifactAsync(run.Job.Store, wav, run.FilePath(".wav"), cancellationToken).ConfigureAwait(false);
        return wav;
    }

    private async Task<TranscriptArtifact?> TranscriptAfterAsync(FileRun run, Task<ObjectReference?> wavTask, CancellationToken cancellationToken)
    {
        var wav = await wavTask.ConfigureAwait(false);
        return wav is null ? null : await TranscribeAsync(run, wav, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Our own transcript and prosody: the <c>{id}_transcript.json</c> sidecar and evidence for the LLM steps.</summary>
    private async Task<TranscriptArtifact?> TranscribeAsync(FileRun run, ObjectReference? wav, CancellationToken cancellationToken)
    {
        if (wav is null) return null;
        var options = run.Job.Options;
        var completed = await RunStepAsync(run, "transcribe", new TranscribeAudio(run.Job.JobId, run.Id, wav, options.Language, options.SpeechEngine), cancellationToken).ConfigureAwait(false);
        var artifact = completed.Outputs[TranscribeAudioConsumer.TranscriptOutput];
        var sidecar = run.FilePath("_transcript.json");
        await run.Output.CopyArtifactAsync(run.Job.Store, artifact, sidecar, cancellationToken).ConfigureAwait(false);
        return TranscriptArtifact.FromJson(await File.ReadAllTextAsync(sidecar, cancellationToken).ConfigureAwait(false));
    }

    private async Task<IReadOnlyList<ObjectReference>> SampleFramesAsync(FileRun run, CancellationToken cancellationToken)
    {
        var completed = await RunStepAsync(run, "sample-frames", new SampleFrames(run.Job.JobId, run.Id, run.Source, run.Job.Options.FrameSampleFps), cancellationToken).ConfigureAwait(false);
        var frames = StepRunner.Result<SampledFramesResult>(completed).Frames;
        return EvenlySpaced(frames, MaxEvidenceFrames).Select(f => completed.Outputs.Values.First(o => o.Key == f.Key)).ToList();
    }

    private static IEnumerable<T> EvenlySpaced<T>(IReadOnlyList<T> items, int count)
    {
        if (items.Count <= count) return items;
        return Enumerable.Range(0, count).Select(i => items[(int)Math.Round(i * (items.Count - 1) / (double)(count - 1))]);
    }

    private static LlmEvidenceRefs? Evidence(TranscriptArtifact? transcript, IReadOnlyList<ObjectReference>? frames = null)
    {
        var text = transcript is { Status: TranscriptStatus.Transcribed } ? transcript.Text : transcript is null ? null : "(no speech detected)";
        var prosody = transcript?.Prosody.Summary;
        return text is null && prosody is null && frames is null ? null : new LlmEvidenceRefs(frames, text, prosody);
    }

    /// <summary>
    /// One LLM step. Returns the answer, or null when the step was skipped (no model configured, or the model cannot
    /// take the input and nothing can stand in): the reason goes to the sidecar and the run summary, and no text is invented.
    /// </summary>
    internal async Task<string?> AskAsync(FileRun run, string step, string prompt, IReadOnlyList<ObjectReference> media, LlmEvidenceRefs? evidence, CancellationToken cancellationToken)
    {
        var clock = FileRun.Clock();
        var routing = run.Job.Options.LlmRoutes?.GetValueOrDefault(step);
        var completed = await steps.RunAsync("llm-" + step, new RunLlmStep(run.Job.JobId, run.Id, step, prompt, media, evidence, routing, UseCache: run.Job.Options.Cache), cancellationToken).ConfigureAwait(false);
        var outcome = StepRunner.Result<LlmStepOutcome>(completed);
        run.RecordLlm("llm-" + step, outcome, completed, clock.Elapsed.TotalSeconds);
        if (outcome.Status == "Skipped" || string.IsNullOrWhiteSpace(outcome.Text))
        {
            run.Skipped(step, outcome.SkipReason ?? "empty answer");
            return null;
        }
        return outcome.Text.Trim();
    }

    /// <summary>Synthesis, asked once more when the answer lacks the concluding sentence that exports parse.</summary>
    private async Task<string?> SynthesizeAsync(FileRun run, string prompt, bool isImage, CancellationToken cancellationToken)
    {
        var sentiment = run.Job.Options.Task == TaskKind.SentimentAnalysis;
        var summary = await AskAsync(run, "synthesis", prompt, [], null, cancellationToken).ConfigureAwait(false);
        if (summary is null || ConclusionCheck.EndsAsRequired(summary, isImage, sentiment, run.Label)) return summary;
        var repaired = await AskAsync(run, "synthesis", ConclusionCheck.RepairPrompt(prompt, summary, isImage, sentiment, run.Label), [], null, cancellationToken).ConfigureAwait(false);
        if (repaired is not null && ConclusionCheck.EndsAsRequired(repaired, isImage, sentiment, run.Label)) return repaired;
        run.Note($"synthesis does not end with the required sentence \"{ConclusionCheck.RequiredEnding(isImage, sentiment, run.Label).Trim()}…\" after one retry");
        return repaired ?? summary;
    }

    /// <summary>Per-modality results of earlier <c>--type audio/video/AU</c> runs, reused by MER with <c>--cache</c> (spec §1.7 B).</summary>
    private static EarlierResults ReadEarlierResults(FileRun run) => new(
        ReadString(run.FilePath("_audio_analysis.json"), "audio_analysis"),
        ReadString(run.FilePath("_video_analysis.json"), "llm_video_summary"),
        ReadStrings(run.FilePath("_au_analysis.json"), "chronological_emotion_peaks"));

    private static string? ReadString(string path, string key)
    {
        var element = ReadKey(path, key);
        return element?.ValueKind switch
        {
            JsonValueKind.String => element.Value.GetString() is { Length: > 0 } text ? text : null,
            // MER-Factory wrote {"transcript","tone_description"} objects after audio errors: those are not results.
            _ => null,
        };
    }

    private static IReadOnlyList<string>? ReadStrings(string path, string key) =>
        ReadKey(path, key) is { ValueKind: JsonValueKind.Array } array && array.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String)
            ? [.. array.EnumerateArray().Select(e => e.GetString()!)]
            : null;

    private static JsonElement? ReadKey(string path, string key)
    {
        if (!File.Exists(path)) return null;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            return document.RootElement.TryGetProperty(key, out var value) ? value.Clone() : null;
        }
        catch (JsonException)
        {
            return null; // a damaged earlier result is recomputed, not trusted
        }
    }

    private sealed record FacsOutcome(FacialExpressionResult Result, StepCompleted Completed, ObjectReference Csv, bool NoFace);

    private sealed record FaceBranch(IReadOnlyList<string> Peaks, string PeakAuDescription, string? VisualDescription, double PeakTimestamp,
        PeakFrameInfo? PeakInfo, ObjectReference PeakFrame, ObjectReference AuCsv);

    private sealed record EarlierResults(string? AudioAnalysis, string? VideoDescription, IReadOnlyList<string>? EmotionPeaks)
    {
        public static readonly EarlierResults None = new(null, null, null);
    }
}

/// <summary>The per-modality clues of a MER sample before synthesis; the gate agent may refine, drop or reject them.</summary>
public sealed record MerEvidence(IReadOnlyList<string> Peaks, string PeakAuDescription, string? VisualDescription, string? AudioAnalysis, string? VideoDescription);

/// <summary>A quality gate over the MER clues before synthesis (<c>--use-gate-agent</c>).</summary>
public interface IEvidenceGate
{
    Task<MerEvidence> RunAsync(FileRun run, FileProcessor processor, MerEvidence evidence, GateMedia media, CancellationToken cancellationToken);
}

/// <summary>Media the gate agent's tools may inspect, and the evidence the regenerated steps send again.</summary>
public sealed record GateMedia(ObjectReference? Wav, ObjectReference PeakFrame, double PeakTimestamp, ObjectReference AuCsv, TranscriptArtifact? Transcript,
    LlmEvidenceRefs? AudioEvidence, LlmEvidenceRefs? VideoEvidence);

/// <summary>
/// Sidecar <c>{id}_media.json</c>: what the probe found (MER-Factory has no equivalent), and for an uploaded input its
/// object-store key (<see cref="SourceKey"/>, e.g. <c>uploads/{owner}/…</c>; null for local inputs).
/// </summary>
public sealed record MediaSummary(string SourcePath, string Kind, MediaProbe Probe, bool HasAudio, string? SourceKey = null);
