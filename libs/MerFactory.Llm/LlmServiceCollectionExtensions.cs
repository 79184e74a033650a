using MerFactory.Llm.Caching;
using MerFactory.Llm.Prompts;
using MerFactory.Llm.Routing;
using MerFactory.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MerFactory.Llm;

/// <summary>Options of the gateway beyond routing.</summary>
public sealed class LlmGatewayOptions
{
    public const string SectionName = "LlmGateway";

    /// <summary>Cache answers in the registered <see cref="IObjectStore"/>.</summary>
    public bool CacheEnabled { get; set; } = true;

    /// <summary>Object-key prefix of cached answers.</summary>
    public string CachePrefix { get; set; } = "llm-cache/";

    /// <summary>Prompts file (MER-Factory's <c>--prompts-file</c>); null = built-in prompts.</summary>
    public string? PromptsFile { get; set; }
}

public static class LlmServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ILlmGateway"/> (singleton), <see cref="PromptCatalog"/>, and binds <see cref="LlmRoutingOptions"/>
    /// and <see cref="LlmGatewayOptions"/> from section "LlmGateway". The cache uses the registered
    /// <see cref="IObjectStore"/> when there is one. <paramref name="configureRouting"/> runs last (e.g. to apply CLI flags
    /// via <see cref="LlmRouting.FromCliFlags"/>).
    /// </summary>
    public static IServiceCollection AddLlmGateway(this IServiceCollection services, IConfiguration configuration, Func<LlmRoutingOptions, LlmRoutingOptions>? configureRouting = null)
    {
        var section = configuration.GetSection(LlmRoutingOptions.SectionName);
        services.AddOptions<LlmRoutingOptions>().Bind(section);
        services.AddOptions<LlmGatewayOptions>().Bind(section);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => PromptCatalog.Load(sp.GetRequiredService<IOptions<LlmGatewayOptions>>().Value.PromptsFile));
        services.AddSingleton<ILlmGateway>(sp =>
        {
            var routing = sp.GetRequiredService<IOptions<LlmRoutingOptions>>().Value;
            if (configureRouting is not null) routing = configureRouting(routing);
            var gatewayOptions = sp.GetRequiredService<IOptions<LlmGatewayOptions>>().Value;
            var store = sp.GetService<IObjectStore>();
            ILlmResponseCache? cache = gatewayOptions.CacheEnabled && store is not null ? new ObjectStoreLlmResponseCache(store, gatewayOptions.CachePrefix) : null;
            return new LlmGateway(routing, cache, sp.GetService<ILogger<LlmGateway>>(), sp.GetService<TimeProvider>());
        });
        return services;
    }
}
