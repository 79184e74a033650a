using MassTransit;
using MerFactory.Jobs.Steps;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MerFactory.Storage;

namespace MerFactory.Jobs.Messaging;

public static class MessagingServiceCollectionExtensions
{
    /// <summary>
    /// MassTransit on the configured transport with the given consumers. The same consumers run on the
    /// in-memory transport (embedded CLI) and on RabbitMQ (services); only the transport differs.
    /// </summary>
    public static IServiceCollection AddMerFactoryMessaging(this IServiceCollection services, MessagingOptions options, Action<IBusRegistrationConfigurator, MessagingOptions> addConsumers)
    {
        services.AddSingleton(options);
        services.TryAddSingleton(new InputCacheOptions());
        // A remote store's inputs are kept locally across steps; a local folder store is read in place.
        services.AddSingleton(sp => sp.GetRequiredService<IObjectStore>() is FileSystemObjectStore
            ? new ArtifactStore(sp.GetRequiredService<IObjectStore>())
            : new ArtifactStore(sp.GetRequiredService<IObjectStore>(), sp.GetRequiredService<LocalInputCache>()));
        services.AddSingleton(sp => new LocalInputCache(sp.GetRequiredService<IObjectStore>(), sp.GetRequiredService<InputCacheOptions>()));
        services.AddSingleton<BrokerReconnections>();
        services.AddReceiveEndpointObserver(sp => sp.GetRequiredService<BrokerReconnections>());
        services.AddMassTransit(x =>
        {
            x.SetKebabCaseEndpointNameFormatter();
            // No calls home to usage-tracking.masstransit.io (offline machines logged a failure in every service).
            x.DisableUsageTelemetry();
            x.SetDefaultRequestTimeout(options.RequestTimeout);
            // The bus's health is the service's: a service whose broker is down can do no work and must say so.
            x.ConfigureHealthCheckOptions(health =>
            {
                health.Name = "masstransit-bus";
                health.MinimalFailureStatus = Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Unhealthy;
            });
            addConsumers(x, options);
            x.AddConfigureEndpointsCallback((_, _, endpoint) =>
            {
                if (options.ConcurrentMessageLimit > 0) endpoint.ConcurrentMessageLimit = options.ConcurrentMessageLimit;
                endpoint.UseMessageRetry(r =>
                {
                    r.Exponential(options.RetryLimit, options.RetryMinInterval, options.RetryMaxInterval, TimeSpan.FromSeconds(1));
                    // Bad input stays bad: fail the file at once with the step's message.
                    r.Ignore<StepInputException>();
                });
            });

            if (string.Equals(options.Transport, "RabbitMq", StringComparison.OrdinalIgnoreCase))
            {
                var connection = options.RabbitMqConnectionString
                    ?? throw new InvalidOperationException("Messaging:RabbitMqConnectionString is required when Messaging:Transport is RabbitMq.");
                x.UsingRabbitMq((context, cfg) =>
                {
                    cfg.Host(new Uri(connection));
                    cfg.ConfigureEndpoints(context);
                });
            }
            else if (string.Equals(options.Transport, "InMemory", StringComparison.OrdinalIgnoreCase))
            {
                x.UsingInMemory((context, cfg) => cfg.ConfigureEndpoints(context));
            }
            else
            {
                throw new InvalidOperationException($"Unknown Messaging:Transport '{options.Transport}' (expected InMemory or RabbitMq).");
            }
        });
        return services;
    }

    public static IServiceCollection AddMerFactoryMessaging(this IServiceCollection services, IConfiguration configuration, Action<IBusRegistrationConfigurator, MessagingOptions> addConsumers)
    {
        var options = configuration.GetSection(MessagingOptions.SectionName).Get<MessagingOptions>() ?? new MessagingOptions();
        services.AddSingleton(configuration.GetSection(InputCacheOptions.SectionName).Get<InputCacheOptions>() ?? new InputCacheOptions());
        // Aspire hands the broker over as the connection string "messaging".
        if (configuration.GetConnectionString("messaging") is { Length: > 0 } amqp)
        {
            options.Transport = "RabbitMq";
            options.RabbitMqConnectionString = amqp;
        }
        return services.AddMerFactoryMessaging(options, addConsumers);
    }
}
