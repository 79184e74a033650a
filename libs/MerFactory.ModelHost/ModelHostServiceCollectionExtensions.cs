using MerFactory.ModelHost.Inference;
using MerFactory.ModelHost.Models;
using MerFactory.ModelHost.Serving;
using MerFactory.ModelHost.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MerFactory.ModelHost;

public static class ModelHostServiceCollectionExtensions
{
    /// <summary>
    /// The model host: options from <see cref="ModelHostOptions.SectionName"/>, LRU pool, slots, metrics, the default
    /// model's warm-up and its health check ("default-model": unhealthy until it is loaded).
    /// </summary>
    public static IServiceCollection AddModelHost(this IServiceCollection services, IConfiguration configuration, Action<ModelHostOptions>? configure = null)
    {
        var options = services.AddOptions<ModelHostOptions>().Bind(configuration.GetSection(ModelHostOptions.SectionName));
        if (configure is not null) options.Configure(configure);
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IModelLoader, ModelLoader>();
        services.AddSingleton<ModelResolver>();
        services.AddSingleton<ModelHostMetrics>();
        services.AddSingleton<SlotScheduler>();
        services.AddSingleton<ModelPool>();
        services.AddSingleton<LocalModelHost>();
        services.AddSingleton<DefaultModelReadiness>();
        services.AddHostedService(sp => sp.GetRequiredService<DefaultModelReadiness>());
        services.AddHealthChecks().AddCheck<DefaultModelHealthCheck>("default-model");
        return services;
    }
}
