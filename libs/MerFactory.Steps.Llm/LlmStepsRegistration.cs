using MerFactory.Contracts.Llm;
using MerFactory.Llm;
using MerFactory.Llm.Routing;
using MerFactory.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MerFactory.Steps.Llm;

public static class LlmStepsRegistration
{
    /// <summary>
    /// The LLM step family: <see cref="LlmServiceCollectionExtensions.AddLlmGateway"/>, what the LLM step consumer needs and
    /// the consumer itself. What llm-gateway hosts, and the embedded CLI with all the others.
    /// <paramref name="configureRouting"/> must be pure (it is applied to the gateway and to the step keys alike).
    /// </summary>
    public static IServiceCollection AddLlmSteps(this IServiceCollection services, IConfiguration configuration, Func<LlmRoutingOptions, LlmRoutingOptions>? configureRouting = null)
    {
        services.AddLlmGateway(configuration, configureRouting);
        services.AddSingleton<LlmMediaCache>(_ => new LlmMediaCache());
        services.AddSingleton(sp =>
        {
            var routing = sp.GetRequiredService<IOptions<LlmRoutingOptions>>().Value;
            if (configureRouting is not null) routing = configureRouting(routing);
            return new LlmStepGateways(sp.GetRequiredService<ILlmGateway>(), routing, sp.GetRequiredService<IOptions<LlmGatewayOptions>>().Value,
                sp.GetService<IObjectStore>(), sp.GetService<ILoggerFactory>());
        });
        // LLM calls mostly wait on the network; the gateway's per-backend limits bound the real concurrency.
        return services.AddStepFamily(new StepFamily("llm", (bus, options) => bus.AddStepConsumer<RunLlmStepConsumer, RunLlmStep>(options, concurrentRequests: 64)));
    }
}
