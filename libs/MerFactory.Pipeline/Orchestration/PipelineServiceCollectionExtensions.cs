using MerFactory.Media;
using Microsoft.Extensions.DependencyInjection;

namespace MerFactory.Pipeline.Orchestration;

public static class PipelineServiceCollectionExtensions
{
    /// <summary>Engines the step consumers use.</summary>
    public static IServiceCollection AddMediaEngines(this IServiceCollection services)
    {
        services.AddSingleton<FfmpegMediaExtractor>();
        services.AddSingleton<Consumers.StepClient>();
        return services;
    }

    /// <summary>The orchestration side: runs jobs by sending step requests.</summary>
    public static IServiceCollection AddJobOrchestration(this IServiceCollection services)
    {
        services.AddSingleton<StepRunner>();
        services.AddSingleton<FileProcessor>();
        services.AddSingleton<InputStager>();
        services.AddSingleton<JobRunner>();
        return services;
    }
}
