using MerFactory.Contracts;
using MerFactory.Contracts.Media;
using MerFactory.GateAgent.Tools;

namespace MerFactory.Pipeline.Orchestration;

/// <summary>
/// The gate agent's media measurements as media steps (<see cref="MeasureMedia"/>): they run where the media is
/// (media-extract, or in process when embedded), are cached like every step, and the orchestrator never fetches the
/// source video or the WAV for them.
/// </summary>
public sealed class StepGateMedia(FileSteps steps, ObjectReference source, ObjectReference? wav) : IGateMedia
{
    private ObjectReference? Of(GateMediaSource kind) => kind == GateMediaSource.Audio ? wav : source;

    public bool Has(GateMediaSource kind) => Of(kind) is not null;

    public string Require(GateMediaSource kind, string what, string alternative = "") =>
        Of(kind) is { } reference
            ? steps.Run.Id + Path.GetExtension(reference.Key)
            : throw new GateToolException($"this sample has no {what}{alternative}.");

    public async Task<GateMediaResult> MeasureAsync(GateMediaSource kind, string measurement, CancellationToken cancellationToken)
    {
        var reference = Of(kind) ?? throw new GateToolException($"this sample has no {kind.ToString().ToLowerInvariant()} file.");
        try
        {
            var measured = (await steps.RunAsync(new MeasureMedia(steps.Run.Job.JobId, steps.Run.Id, reference, measurement), cancellationToken).ConfigureAwait(false)).Response;
            return new GateMediaResult(measured.ExitCode, measured.StandardOutput, measured.StandardError);
        }
        catch (StepFailedException e)
        {
            // The model reads tool failures as "ERROR: …" and carries on without the measurement.
            throw new GateToolException(e.Message, e);
        }
    }
}
