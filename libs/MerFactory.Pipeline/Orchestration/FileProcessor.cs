using MerFactory.Contracts;
using MerFactory.Contracts.Media;
using MerFactory.Llm.Prompts;
using MerFactory.Pipeline.Synthesis;

namespace MerFactory.Pipeline.Orchestration;

/// <summary>What the graph did for a file beyond success: e.g. LLM steps skipped because no model is configured.</summary>
public sealed record FileResult(IReadOnlyList<string> Notes);

/// <summary>
/// The graph of steps one file runs through — MER-Factory's five pipelines (spec §2.2) built from step requests, so the
/// same code runs embedded (in-memory bus) and distributed (RabbitMQ). Steps that do not depend on each other run
/// concurrently; each is answered from its committed artifact when it already ran. The MER pipeline is <see cref="MerPipeline"/>.
/// </summary>
public sealed class FileProcessor(StepRunner steps, IEvidenceGate? gate = null)
{
    private const string NeutralAu = "Neutral expression.";
    private const string NeutralLlmAu = "A neutral facial expression was detected.";

    public async Task<FileResult> ProcessAsync(InputFile input, ObjectReference source, JobContext job, CancellationToken cancellationToken)
    {
        var run = new FileRun(input, source, job);
        var fileSteps = new FileSteps(steps, run);
        var probe = (await fileSteps.RunAsync(new ProbeMedia(job.JobId, input.Id, source), cancellationToken).ConfigureAwait(false)).Response;
        Directory.CreateDirectory(job.Output.FileFolder(input.Id));
        var type = JobRunner.EffectiveType(input, job.Options);
        // An uploaded input (a distributed job's) is named by its key too: the client's path means nothing where the records are read.
        var sourceKey = job.Staged?.ContainsKey(input.Id) == true ? source.Key : null;
        await job.Output.WriteJsonAsync(run.FilePath("_media.json"), new MediaSummary(run.RecordedSourcePath, input.Kind.ToString().ToLowerInvariant(), probe, probe.HasAudio, sourceKey), cancellationToken).ConfigureAwait(false);
        if (type is ProcessingType.AU or ProcessingType.MER or ProcessingType.Video && !probe.HasVideo)
            throw new StepFailedException(StepNames.Of<ProbeMedia>(), $"{input.RelativePath}: no video stream, so --type {type} cannot run on it (use --type audio for sound only).");
        if (type == ProcessingType.Image && !probe.HasVideo)
            throw new StepFailedException(StepNames.Of<ProbeMedia>(), $"{input.RelativePath}: not a decodable image");
        if (type == ProcessingType.Audio && !probe.HasAudio)
            throw new StepFailedException(StepNames.Of<ProbeMedia>(), $"{input.RelativePath}: no audio stream, so the audio pipeline has nothing to analyse.");

        try
        {
            var evidence = new EvidenceSteps(fileSteps);
            switch (type)
            {
                case ProcessingType.AU: await RunAuAsync(evidence, cancellationToken).ConfigureAwait(false); break;
                case ProcessingType.Audio: await RunAudioAsync(fileSteps, evidence, cancellationToken).ConfigureAwait(false); break;
                case ProcessingType.Video: await RunVideoAsync(fileSteps, evidence, probe, cancellationToken).ConfigureAwait(false); break;
                case ProcessingType.Image: await RunImageAsync(fileSteps, evidence, cancellationToken).ConfigureAwait(false); break;
                case ProcessingType.MER: await new MerPipeline(fileSteps, evidence, gate).RunAsync(probe, cancellationToken).ConfigureAwait(false); break;
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

    private static async Task RunAuAsync(EvidenceSteps evidence, CancellationToken cancellationToken)
    {
        var run = evidence.Run;
        var facs = await evidence.FacialAnalysisAsync(isImage: false, cancellationToken).ConfigureAwait(false);
        await run.Output.CopyArtifactAsync(run.Job.Store, facs.Result.Document, run.FilePath("_au_analysis.json"), cancellationToken).ConfigureAwait(false);
    }

    private static async Task RunAudioAsync(FileSteps steps, EvidenceSteps evidence, CancellationToken cancellationToken)
    {
        var run = steps.Run;
        var wav = await evidence.ExtractWavAsync(copyToOutput: run.Input.Kind == MediaKind.Video, cancellationToken).ConfigureAwait(false)
            ?? throw new StepFailedException(StepNames.Of<ExtractAudio>(), $"{run.Input.RelativePath}: no audio stream");
        var transcript = await evidence.TranscribeAsync(wav, cancellationToken).ConfigureAwait(false);
        // The label guides the audio prompt only in the audio pipeline itself (spec §2.3).
        var analysis = await steps.AskAsync("audio", run.Job.Prompts.AudioAnalysis(run.Label), [wav], EvidenceSteps.Evidence(transcript), cancellationToken).ConfigureAwait(false);
        if (analysis is null) return;
        await run.Output.WriteTextAsync(run.FilePath("_audio_analysis.json"), SampleDocuments.Audio(run.RecordedSourcePath, analysis, run.Degraded), cancellationToken).ConfigureAwait(false);
    }

    private static async Task RunVideoAsync(FileSteps steps, EvidenceSteps evidence, MediaProbed probe, CancellationToken cancellationToken)
    {
        var run = steps.Run;
        var framesTask = evidence.SampleFramesAsync(cancellationToken);
        var transcript = probe.HasAudio ? await evidence.TranscribeAsync(await evidence.ExtractWavAsync(copyToOutput: false, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false) : null;
        var frames = await framesTask.ConfigureAwait(false);
        var description = await steps.AskAsync("video", run.Job.Prompts.VideoDescription(run.Label), [run.Source], EvidenceSteps.Evidence(transcript, frames), cancellationToken).ConfigureAwait(false);
        if (description is null) return;
        await run.Output.WriteTextAsync(run.FilePath("_video_analysis.json"), SampleDocuments.Video(run.RecordedSourcePath, description, run.Degraded), cancellationToken).ConfigureAwait(false);
    }

    private static async Task RunImageAsync(FileSteps steps, EvidenceSteps evidence, CancellationToken cancellationToken)
    {
        var run = steps.Run;
        var prompts = run.Job.Prompts;
        var visualTask = steps.AskAsync("image", prompts.ImageDescription(run.Label), [run.Source], null, cancellationToken);
        var facs = await evidence.FacialAnalysisAsync(isImage: true, cancellationToken).ConfigureAwait(false);
        var auText = facs.NoFace ? "No face detected." : facs.Result.FirstFrameDescription;
        string? llmAu = facs.NoFace ? "No face was detected in the image."
            : auText == NeutralAu ? NeutralLlmAu
            : await steps.AskAsync("facial-expression", prompts.FacialExpression(auText), [], null, cancellationToken).ConfigureAwait(false);
        var visual = await visualTask.ConfigureAwait(false);
        if (llmAu is null) return;

        var context = ClueContext.ForImage(new ImageClues(llmAu, visual, run.Label));
        var summary = await steps.SynthesizeAsync(prompts.ImageSynthesis(run.Job.SynthesisTask, context, run.Label), isImage: true, cancellationToken).ConfigureAwait(false);
        if (summary is null) return;
        await run.Output.WriteTextAsync(run.FilePath("_image_analysis.json"), SampleDocuments.Image(new ImageRecord(run.RecordedSourcePath, auText, llmAu, visual, summary, run.Label) { Degraded = run.Degraded }), cancellationToken).ConfigureAwait(false);
    }
}
