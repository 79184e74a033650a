using MerFactory.Dashboard.Runs;
using MerFactory.Pipeline.Orchestration;

namespace MerFactory.JobClient;

/// <summary>The run builder's form as a job's options, the same for the embedded runner and the job API.</summary>
public static class RunRequestOptions
{
    /// <summary>The form's options; model choices are the caller's (CLI flags, or the deployment's routes).</summary>
    public static JobOptions For(RunRequest request, string? promptsJson) => new()
    {
        Type = ParseType(request.Type) ?? throw new ArgumentException($"unknown type '{request.Type}'"),
        Task = ParseTask(request.Task) ?? throw new ArgumentException($"unknown task '{request.Task}'"),
        Threshold = request.Threshold,
        PeakDistance = request.PeakDistance,
        Concurrency = request.Concurrency,
        Cache = request.Cache,
        UseGateAgent = request.UseGateAgent,
        Silent = true,
        PromptsJson = promptsJson,
    };

    /// <summary>MER-Factory's <c>--type</c> names, any case.</summary>
    public static ProcessingType? ParseType(string? value) => value?.ToUpperInvariant() switch
    {
        "AU" => ProcessingType.AU,
        "AUDIO" => ProcessingType.Audio,
        "VIDEO" => ProcessingType.Video,
        "MER" => ProcessingType.MER,
        "IMAGE" => ProcessingType.Image,
        _ => null,
    };

    /// <summary>MER-Factory's <c>--task</c> names.</summary>
    public static TaskKind? ParseTask(string? value) => value?.Trim().ToUpperInvariant() switch
    {
        "MERR" => TaskKind.MERR,
        "SENTIMENT ANALYSIS" or "SENTIMENT-ANALYSIS" or "SENTIMENTANALYSIS" => TaskKind.SentimentAnalysis,
        _ => null,
    };
}
