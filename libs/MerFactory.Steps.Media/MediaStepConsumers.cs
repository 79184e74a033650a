using MassTransit;
using MerFactory.Contracts;
using MerFactory.Contracts.Media;
using MerFactory.Jobs.Messaging;
using MerFactory.Jobs.Steps;
using MerFactory.Media;
using MerFactory.Steps;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MerFactory.Steps.Media;

/// <summary>Runs a media tool on a local copy of the source and turns bad-input failures into non-retryable step errors.</summary>
public abstract class MediaStepConsumer<TRequest>(ArtifactStore artifacts, FfmpegMediaExtractor media) : StepConsumer<TRequest>(artifacts)
    where TRequest : class, IStepRequest
{
    protected FfmpegMediaExtractor Media => media;

    protected abstract ObjectReference Source(TRequest request);

    protected override IEnumerable<ObjectReference> Inputs(TRequest request) => [Source(request)];

    protected override async Task<StepResult> ExecuteAsync(TRequest request, StepWorkspace workspace, CancellationToken cancellationToken)
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

    protected abstract Task<StepResult> ExecuteOnFileAsync(TRequest request, string path, StepWorkspace workspace, CancellationToken cancellationToken);
}

public sealed class ProbeMediaConsumer(ArtifactStore artifacts, FfmpegMediaExtractor media) : MediaStepConsumer<ProbeMedia>(artifacts, media)
{
    protected override string Step => "probe";

    protected override ObjectReference Source(ProbeMedia request) => request.Source;

    protected override async Task<StepResult> ExecuteOnFileAsync(ProbeMedia request, string path, StepWorkspace workspace, CancellationToken cancellationToken) =>
        new(await Media.ProbeAsync(path, cancellationToken).ConfigureAwait(false));
}

public sealed class ExtractAudioConsumer(ArtifactStore artifacts, FfmpegMediaExtractor media) : MediaStepConsumer<ExtractAudio>(artifacts, media)
{
    protected override string Step => "extract-audio";

    protected override ObjectReference Source(ExtractAudio request) => request.Source;

    protected override async Task<StepResult> ExecuteOnFileAsync(ExtractAudio request, string path, StepWorkspace workspace, CancellationToken cancellationToken)
    {
        var wav = Path.Combine(workspace.ScratchDirectory, "audio.wav");
        var extraction = await Media.ExtractAudioAsync(path, wav, cancellationToken).ConfigureAwait(false);
        if (extraction.HasAudio) await workspace.AddOutputFileAsync("audio.wav", wav, "audio/wav", cancellationToken).ConfigureAwait(false);
        return new StepResult(new AudioStepResult(extraction.HasAudio, extraction.DurationSeconds));
    }
}

public sealed class SampleFramesConsumer(ArtifactStore artifacts, FfmpegMediaExtractor media) : MediaStepConsumer<SampleFrames>(artifacts, media)
{
    protected override string Step => "sample-frames";

    protected override ObjectReference Source(SampleFrames request) => request.Source;

    protected override object?[] Parameters(SampleFrames request) => [request.Fps];

    protected override async Task<StepResult> ExecuteOnFileAsync(SampleFrames request, string path, StepWorkspace workspace, CancellationToken cancellationToken)
    {
        var frames = await Media.SampleFramesAsync(path, Path.Combine(workspace.ScratchDirectory, "frames"), request.Fps, cancellationToken).ConfigureAwait(false);
        var entries = new List<SampledFrameEntry>(frames.Count);
        foreach (var frame in frames)
        {
            var name = $"frames/{frame.Index:D6}.png";
            var reference = await workspace.AddOutputFileAsync(name, frame.Path, "image/png", cancellationToken).ConfigureAwait(false);
            entries.Add(new SampledFrameEntry(frame.Index, frame.TimestampSeconds, reference.Key));
        }
        return new StepResult(new SampledFramesResult(request.Fps, entries));
    }
}

public sealed class ExtractFrameConsumer(ArtifactStore artifacts, FfmpegMediaExtractor media) : MediaStepConsumer<ExtractFrame>(artifacts, media)
{
    protected override string Step => "extract-frame";

    protected override ObjectReference Source(ExtractFrame request) => request.Source;

    protected override object?[] Parameters(ExtractFrame request) => [request.TimestampSeconds];

    protected override async Task<StepResult> ExecuteOnFileAsync(ExtractFrame request, string path, StepWorkspace workspace, CancellationToken cancellationToken)
    {
        var png = Path.Combine(workspace.ScratchDirectory, "frame.png");
        var frame = await Media.ExtractFrameAsync(path, request.TimestampSeconds, png, cancellationToken).ConfigureAwait(false);
        await workspace.AddOutputFileAsync("frame.png", png, "image/png", cancellationToken).ConfigureAwait(false);
        return new StepResult(new FrameStepResult(frame.RequestedSeconds, frame.ActualSeconds, frame.Attempts));
    }
}

public sealed record AudioStepResult(bool HasAudio, double DurationSeconds);

public sealed record SampledFrameEntry(int Index, double TimestampSeconds, string Key);

public sealed record SampledFramesResult(double Fps, IReadOnlyList<SampledFrameEntry> Frames);

public sealed record FrameStepResult(double RequestedSeconds, double ActualSeconds, int Attempts);

public static class MediaConsumerRegistration
{
    /// <summary>The consumers media-extract hosts (and the embedded CLI hosts with all the others), each on its step's queue.</summary>
    public static IBusRegistrationConfigurator AddMediaExtractConsumers(this IBusRegistrationConfigurator bus, MessagingOptions options)
    {
        bus.AddConsumer<ProbeMediaConsumer>().Endpoint(e => e.Name = options.QueueName(StepQueues.For<ProbeMedia>()));
        bus.AddConsumer<ExtractAudioConsumer>().Endpoint(e => e.Name = options.QueueName(StepQueues.For<ExtractAudio>()));
        bus.AddConsumer<SampleFramesConsumer>().Endpoint(e => e.Name = options.QueueName(StepQueues.For<SampleFrames>()));
        bus.AddConsumer<ExtractFrameConsumer>().Endpoint(e => e.Name = options.QueueName(StepQueues.For<ExtractFrame>()));
        return bus;
    }

    /// <summary>The ffmpeg engine the media consumers use, and the client that sends steps.</summary>
    public static IServiceCollection AddMediaEngines(this IServiceCollection services)
    {
        services.AddSingleton<FfmpegMediaExtractor>();
        services.TryAddSingleton<StepClient>();
        return services;
    }
}
