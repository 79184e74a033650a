using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MerFactory.Steps;

namespace MerFactory.Pipeline.Orchestration;

public static class PipelineServiceCollectionExtensions
{
    /// <summary>The native AU engine (models from section <c>AuModels</c>, engine settings from <c>AuEngine</c>).</summary>
    public static IServiceCollection AddAuEngines(this IServiceCollection services, Microsoft.Extensions.Configuration.IConfiguration? configuration = null)
    {
        var models = configuration?.GetSection(AuEngine.Models.AuModelOptions.SectionName).Get<AuEngine.Models.AuModelOptions>() ?? new AuEngine.Models.AuModelOptions();
        var engine = configuration?.GetSection(AuEngine.Pipeline.AuEngineOptions.SectionName).Get<AuEngine.Pipeline.AuEngineOptions>() ?? new AuEngine.Pipeline.AuEngineOptions();
        services.AddSingleton(models);
        services.AddSingleton(engine);
        // MER-Factory's OPENFACE_EXECUTABLE (environment or .env) or OpenFace:ExecutablePath selects OpenFace's own binary.
        var openFace = configuration?.GetSection(AuEngine.External.OpenFaceFeatureExtractionOptions.SectionName).Get<AuEngine.External.OpenFaceFeatureExtractionOptions>()
                       ?? new AuEngine.External.OpenFaceFeatureExtractionOptions();
        if (string.IsNullOrWhiteSpace(openFace.ExecutablePath)) openFace.ExecutablePath = configuration?["OPENFACE_EXECUTABLE"] is { Length: > 0 } exe ? exe : null;
        services.AddSingleton(openFace);
        services.AddSingleton<Consumers.ActionUnitEngineHost>();
        return services;
    }

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
