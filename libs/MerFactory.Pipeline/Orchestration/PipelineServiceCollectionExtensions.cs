using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MerFactory.Steps;

namespace MerFactory.Pipeline.Orchestration;

public static class PipelineServiceCollectionExtensions
{
    /// <summary>The orchestration side: runs jobs by sending step requests.</summary>
    public static IServiceCollection AddJobOrchestration(this IServiceCollection services)
    {
        services.TryAddSingleton<MerFactory.Steps.StepClient>();
        services.AddSingleton<JobProgressRouter>();
        services.AddSingleton<StepRunner>();
        // The gate agent's limits come from section "GateAgent" where the host binds it; these are its defaults.
        services.TryAddSingleton(new GateAgent.GateOptions());
        services.AddSingleton<GateAgent.GateAgentRunner>();
        services.AddSingleton<IEvidenceGate, GateAgentEvidenceGate>();
        services.AddSingleton<FileProcessor>();
        services.AddSingleton<InputStager>();
        services.AddSingleton<JobRunner>();
        return services;
    }
}
