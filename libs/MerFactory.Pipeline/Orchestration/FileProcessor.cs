using MerFactory.Contracts;
using MerFactory.Contracts.Au;
using MerFactory.Contracts.Media;
using MerFactory.Media;
using MerFactory.Pipeline.Consumers;
using MerFactory.Storage;

namespace MerFactory.Pipeline.Orchestration;

/// <summary>Everything shared by the files of one job.</summary>
public sealed record JobContext(Guid JobId, JobOptions Options, OutputFolder Output, IObjectStore Store, IJobProgress Progress,
    IReadOnlyDictionary<string, ObjectReference>? Staged = null);

/// <summary>
/// The graph of steps one file runs through. Steps that do not depend on each other run concurrently;
/// each step is answered from its committed artifact when it already ran.
/// </summary>
public sealed class FileProcessor(StepRunner steps)
{
    public async Task ProcessAsync(InputFile input, ObjectReference source, JobContext job, CancellationToken cancellationToken)
    {
        var probe = StepRunner.Result<MediaProbe>(await steps.RunAsync("probe", new ProbeMedia(job.JobId, input.Id, source), cancellationToken).ConfigureAwait(false));
        var folder = job.Output.FileFolder(input.Id);
        Directory.CreateDirectory(folder);

        var media = new MediaSummary(input.Path, input.Kind.ToString().ToLowerInvariant(), probe, HasAudio: probe.HasAudio, SampledFrames: 0, FrameSampleFps: 0);
        switch (input.Kind)
        {
            case MediaKind.Video when job.Options.Type is ProcessingType.AU or ProcessingType.MER:
            {
                var audioTask = steps.RunAsync("extract-audio", new ExtractAudio(job.JobId, input.Id, source), cancellationToken);
                var framesTask = steps.RunAsync("sample-frames", new SampleFrames(job.JobId, input.Id, source, job.Options.FrameSampleFps), cancellationToken);
                var facsTask = RunFacialAnalysisAsync(input, source, job, isImage: false, cancellationToken);
                var audio = await audioTask.ConfigureAwait(false);
                var frames = await framesTask.ConfigureAwait(false);
                var facs = await facsTask.ConfigureAwait(false);
                if (audio.Outputs.TryGetValue("audio.wav", out var wav))
                    await job.Output.CopyArtifactAsync(job.Store, wav, job.Output.FilePath(input.Id, ".wav"), cancellationToken).ConfigureAwait(false);
                if (job.Options.Type == ProcessingType.AU)
                    await job.Output.CopyArtifactAsync(job.Store, facs.Outputs["au_analysis.json"], job.Output.FilePath(input.Id, "_au_analysis.json"), cancellationToken).ConfigureAwait(false);
                var sampled = StepRunner.Result<SampledFramesResult>(frames);
                media = media with { HasAudio = StepRunner.Result<AudioStepResult>(audio).HasAudio, SampledFrames = sampled.Frames.Count, FrameSampleFps = sampled.Fps };
                break;
            }
            case MediaKind.Video:
            {
                var audioTask = steps.RunAsync("extract-audio", new ExtractAudio(job.JobId, input.Id, source), cancellationToken);
                var framesTask = steps.RunAsync("sample-frames", new SampleFrames(job.JobId, input.Id, source, job.Options.FrameSampleFps), cancellationToken);
                var audio = await audioTask.ConfigureAwait(false);
                var frames = await framesTask.ConfigureAwait(false);
                if (audio.Outputs.TryGetValue("audio.wav", out var wav))
                    await job.Output.CopyArtifactAsync(job.Store, wav, job.Output.FilePath(input.Id, ".wav"), cancellationToken).ConfigureAwait(false);
                var sampled = StepRunner.Result<SampledFramesResult>(frames);
                media = media with { HasAudio = StepRunner.Result<AudioStepResult>(audio).HasAudio, SampledFrames = sampled.Frames.Count, FrameSampleFps = sampled.Fps };
                break;
            }
            case MediaKind.Audio:
            {
                var audio = await steps.RunAsync("extract-audio", new ExtractAudio(job.JobId, input.Id, source), cancellationToken).ConfigureAwait(false);
                if (!audio.Outputs.TryGetValue("audio.wav", out var wav))
                    throw new StepFailedException("extract-audio", $"{input.RelativePath}: no audio stream");
                await job.Output.CopyArtifactAsync(job.Store, wav, job.Output.FilePath(input.Id, ".wav"), cancellationToken).ConfigureAwait(false);
                break;
            }
            case MediaKind.Image:
                if (!probe.HasVideo) throw new StepFailedException("probe", $"{input.RelativePath}: not a decodable image");
                // Images always get their AU row (MER-Factory's --type image never ran OpenFace: spec §1.8).
                await RunFacialAnalysisAsync(input, source, job, isImage: true, cancellationToken).ConfigureAwait(false);
                break;
        }
        await job.Output.WriteJsonAsync(job.Output.FilePath(input.Id, "_media.json"), media, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>AU rows (written as <c>{id}.csv</c>, OpenFace's layout) and MER-Factory's FACS analysis of them.</summary>
    private async Task<StepCompleted> RunFacialAnalysisAsync(InputFile input, ObjectReference source, JobContext job, bool isImage, CancellationToken cancellationToken)
    {
        var au = await steps.RunAsync("au-extract", new ExtractActionUnits(job.JobId, input.Id, source, isImage, job.Options.AuSampleFps, AllFaces: false), cancellationToken).ConfigureAwait(false);
        var csv = au.Outputs["au.csv"];
        await job.Output.CopyArtifactAsync(job.Store, csv, job.Output.FilePath(input.Id, ".csv"), cancellationToken).ConfigureAwait(false);
        return await steps.RunAsync("facs-analysis", new AnalyzeFacialExpression(job.JobId, input.Id, csv, input.Path, job.Options.Threshold, job.Options.PeakDistance), cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>Sidecar <c>{id}_media.json</c>: what the media steps found (MER-Factory has no equivalent).</summary>
public sealed record MediaSummary(string SourcePath, string Kind, MediaProbe Probe, bool HasAudio, int SampledFrames, double FrameSampleFps);
