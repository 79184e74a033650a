using MerFactory.Contracts.Media;

namespace MerFactory.Steps;

/// <summary>
/// The queue each step request is sent to. Requests are sent to one queue (not published), so a step runs
/// once, on whichever instance of its service takes it.
/// </summary>
public static class StepQueues
{
    private static readonly Dictionary<Type, string> Names = new()
    {
        [typeof(ProbeMedia)] = "probe-media",
        [typeof(ExtractAudio)] = "extract-audio",
        [typeof(SampleFrames)] = "sample-frames",
        [typeof(ExtractFrame)] = "extract-frame",
        [typeof(Contracts.Au.ExtractActionUnits)] = "au-extract",
        [typeof(Contracts.Au.AnalyzeFacialExpression)] = "facs-analysis",
        [typeof(MerFactory.Contracts.Speech.TranscribeAudio)] = "transcribe-audio",
        [typeof(MerFactory.Contracts.Llm.RunLlmStep)] = "run-llm-step",
    };

    public static string For<TRequest>() where TRequest : IStepRequest =>
        Names.TryGetValue(typeof(TRequest), out var name) ? name : throw new InvalidOperationException($"No queue is assigned to {typeof(TRequest).Name}.");
}
