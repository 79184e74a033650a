using MerFactory.AuEngine.External;
using MerFactory.AuEngine.Models;
using MerFactory.AuEngine.Pipeline;
using MerFactory.Contracts.Au;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace MerFactory.Steps.Au;

public static class AuStepsRegistration
{
    /// <summary>
    /// The AU step family: the native AU engine (models from section <c>AuModels</c>, engine settings from <c>AuEngine</c>;
    /// MER-Factory's <c>OPENFACE_EXECUTABLE</c> or <c>OpenFace:ExecutablePath</c> selects OpenFace's own binary) and the
    /// au-extract and facs-analysis consumers. What au-service hosts, and the embedded CLI with all the others.
    /// </summary>
    /// <param name="concurrentRequests">
    /// au-extract requests taken at once. A service keeps this small so that other instances get the queued videos: one
    /// video already keeps every core busy, and the second slot lets a photo through while a video runs. In one process
    /// nothing else competes for the messages, so the embedded run takes them all and lets the engine host and the
    /// compute scheduler order the work (a copy waiting for an identical request would otherwise hold one of two slots).
    /// </param>
    /// <param name="warmUp">Load the models when the host starts rather than with the first video.</param>
    public static IServiceCollection AddAuSteps(this IServiceCollection services, IConfiguration? configuration = null, int concurrentRequests = 2, bool warmUp = true)
    {
        services.AddSingleton(configuration?.GetSection(AuModelOptions.SectionName).Get<AuModelOptions>() ?? new AuModelOptions());
        services.AddSingleton(configuration?.GetSection(AuEngineOptions.SectionName).Get<AuEngineOptions>() ?? new AuEngineOptions());
        var openFace = configuration?.GetSection(OpenFaceFeatureExtractionOptions.SectionName).Get<OpenFaceFeatureExtractionOptions>() ?? new OpenFaceFeatureExtractionOptions();
        if (string.IsNullOrWhiteSpace(openFace.ExecutablePath)) openFace.ExecutablePath = configuration?["OPENFACE_EXECUTABLE"] is { Length: > 0 } exe ? exe : null;
        services.AddSingleton(openFace);
        services.AddSingleton<ActionUnitEngineHost>();
        if (warmUp) services.AddHostedService<ActionUnitEngineWarmUp>();
        return services.AddStepFamily(new StepFamily("au", (bus, options) =>
        {
            bus.AddStepConsumer<ExtractActionUnitsConsumer, ExtractActionUnits>(options, concurrentRequests);
            bus.AddStepConsumer<AnalyzeFacialExpressionConsumer, AnalyzeFacialExpression>(options);
        }));
    }
}
