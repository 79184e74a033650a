using MerFactory.Contracts;
using MerFactory.Contracts.Media;
using MerFactory.Jobs.Steps;
using MerFactory.Media;
using MerFactory.Steps;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MerFactory.Steps.Media;

/// <summary>Runs a media tool on a local copy of the source and turns bad-input failures into non-retryable step errors.</summary>
public abstract class MediaStepConsumer<TRequest, TResponse>(ArtifactStore artifacts, FfmpegMediaExtractor media) : StepConsumer<TRequest, TResponse>(artifacts)
    where TRequest : class, IStepRequest<TResponse>
    where TResponse : class
{
    protected FfmpegMediaExtractor Media => media;

    protected abstract ObjectReference Source(TRequest request);

    protected override IEnumerable<ObjectReference> Inputs(TRequest request) => [Source(request)];

    protected override async Task<TResponse> ExecuteAsync(TRequest request, StepWorkspace workspace, CancellationToken cancellationToken)
    {
        var source = Source(request);
        using var local = await workspace.Artifacts.GetLocalCopyAsync(source, Path.GetExtension(source.Key), cancellationToken).ConfigureAwait(false);
        try
        {
            return await ExecuteOnFileAsync(request, local.Path, workspace, cancellationToken).ConfigureAwait(false);
        }
        catch (MediaInputException e)
        {
            // The local copy has a content-hash name; the file id is what the user recognises.
            throw new StepInputException(e.Cause.Replace(local.Path, request.FileId, StringComparison.Ordinal), e);
        }
    }

    protected abstract Task<TResponse> ExecuteOnFileAsync(TRequest request, string path, StepWorkspace workspace, CancellationToken cancellationToken);
}

public sealed class ProbeMediaConsumer(ArtifactStore artifacts, FfmpegMediaExtractor media) : MediaStepConsumer<ProbeMedia, MediaProbed>(artifacts, media)
{
    protected override ObjectReference Source(ProbeMedia request) => request.Source;

    protected override Task<MediaProbed> ExecuteOnFileAsync(ProbeMedia request, string path, StepWorkspace workspace, CancellationToken cancellationToken) =>
        Media.ProbeAsync(path, cancellationToken);
}

public sealed class ExtractAudioConsumer(ArtifactStore artifacts, FfmpegMediaExtractor media) : MediaStepConsumer<ExtractAudio, AudioExtracted>(artifacts, media)
{
    protected override ObjectReference Source(ExtractAudio request) => request.Source;

    protected override async Task<AudioExtracted> ExecuteOnFileAsync(ExtractAudio request, string path, StepWorkspace workspace, CancellationToken cancellationToken)
    {
        var wav = Path.Combine(workspace.ScratchDirectory, "audio.wav");
        var extraction = await Media.ExtractAudioAsync(path, wav, cancellationToken).ConfigureAwait(false);
        var stored = extraction.HasAudio ? await workspace.AddOutputFileAsync("audio.wav", wav, "audio/wav", cancellationToken).ConfigureAwait(false) : null;
        return new AudioExtracted(extraction.HasAudio, extraction.DurationSeconds, stored);
    }
}

public sealed class SampleFramesConsumer(ArtifactStore artifacts, FfmpegMediaExtractor media) : MediaStepConsumer<SampleFrames, FramesSampled>(artifacts, media)
{
    protected override ObjectReference Source(SampleFrames request) => request.Source;

    protected override object?[] Parameters(SampleFrames request) => [request.Fps];

    protected override async Task<FramesSampled> ExecuteOnFileAsync(SampleFrames request, string path, StepWorkspace workspace, CancellationToken cancellationToken)
    {
        var frames = await Media.SampleFramesAsync(path, Path.Combine(workspace.ScratchDirectory, "frames"), request.Fps, cancellationToken).ConfigureAwait(false);
        var entries = new List<SampledFrameRef>(frames.Count);
        foreach (var frame in frames)
        {
            var name = $"frames/{frame.Index:D6}.png";
            var reference = await workspace.AddOutputFileAsync(name, frame.Path, "image/png", cancellationToken).ConfigureAwait(false);
            entries.Add(new SampledFrameRef(frame.Index, frame.TimestampSeconds, reference));
        }
        return new FramesSampled(request.Fps, entries);
    }
}

public sealed class ExtractFrameConsumer(ArtifactStore artifacts, FfmpegMediaExtractor media) : MediaStepConsumer<ExtractFrame, FrameExtracted>(artifacts, media)
{
    protected override ObjectReference Source(ExtractFrame request) => request.Source;

    protected override object?[] Parameters(ExtractFrame request) => [request.TimestampSeconds];

    protected override async Task<FrameExtracted> ExecuteOnFileAsync(ExtractFrame request, string path, StepWorkspace workspace, CancellationToken cancellationToken)
    {
        var png = Path.Combine(workspace.ScratchDirectory, "frame.png");
        var frame = await Media.ExtractFrameAsync(path, request.TimestampSeconds, png, cancellationToken).ConfigureAwait(false);
        var stored = await workspace.AddOutputFileAsync("frame.png", png, "image/png", cancellationToken).ConfigureAwait(false);
        return new FrameExtracted(frame.RequestedSeconds, frame.ActualSeconds, frame.Attempts, stored);
    }
}

/// <summary>Step "measure-media": one of the gate agent's ffmpeg measurements, on a local copy of the source.</summary>
public sealed class MeasureMediaConsumer(ArtifactStore artifacts, FfmpegMediaExtractor media) : MediaStepConsumer<MeasureMedia, MediaMeasured>(artifacts, media)
{
    /// <summary>A measurement reads the whole file once; this bounds a stuck ffmpeg.</summary>
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);

    protected override ObjectReference Source(MeasureMedia request) => request.Source;

    protected override object?[] Parameters(MeasureMedia request) => [request.Measurement];

    protected override async Task<MediaMeasured> ExecuteOnFileAsync(MeasureMedia request, string path, StepWorkspace workspace, CancellationToken cancellationToken)
    {
        if (!MediaMeasurements.IsKnown(request.Measurement))
            throw new StepInputException($"{request.FileId}: unknown media measurement '{request.Measurement}' (loudness, motion, subtitles).");
        FfmpegOutput output;
        try
        {
            output = await FfmpegRunner.RunAsync("ffmpeg", MediaMeasurements.Arguments(request.Measurement, Path.GetFullPath(path)), Limit, cancellationToken,
                maxOutputBytes: MediaMeasurements.MaxCapturedChars, maxErrorChars: MediaMeasurements.MaxCapturedChars).ConfigureAwait(false);
        }
        catch (FfmpegTimeoutException e)
        {
            throw new StepInputException($"{request.FileId}: the {request.Measurement} measurement took longer than {Limit.TotalMinutes} min", e);
        }
        // The local copy has a content-hash name; the file id is what the user (and the model) recognise.
        var name = request.FileId + Path.GetExtension(request.Source.Key);
        return new MediaMeasured(output.ExitCode, output.StandardOutputText.Replace(path, name, StringComparison.Ordinal),
            output.StandardError.Replace(Path.GetFullPath(path), name, StringComparison.Ordinal).Replace(path, name, StringComparison.Ordinal));
    }
}

public static class MediaStepsRegistration
{
    /// <summary>
    /// The media step family (probe, extract-audio, sample-frames, extract-frame, measure-media on ffmpeg): what media-extract hosts,
    /// and the embedded CLI with all the others.
    /// </summary>
    public static IServiceCollection AddMediaSteps(this IServiceCollection services)
    {
        services.TryAddSingleton<FfmpegMediaExtractor>();
        return services.AddStepFamily(new StepFamily("media", (bus, options) =>
        {
            bus.AddStepConsumer<ProbeMediaConsumer, ProbeMedia>(options);
            bus.AddStepConsumer<ExtractAudioConsumer, ExtractAudio>(options);
            bus.AddStepConsumer<SampleFramesConsumer, SampleFrames>(options);
            bus.AddStepConsumer<ExtractFrameConsumer, ExtractFrame>(options);
            bus.AddStepConsumer<MeasureMediaConsumer, MeasureMedia>(options);
        }));
    }
}
