using MassTransit;
using MerFactory.Jobs.Messaging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MerFactory.Steps;

/// <summary>A step family's consumers (each on its step's queue), added to the bus by <see cref="StepHosting.AddStepMessaging(IServiceCollection, IConfiguration)"/>.</summary>
public sealed record StepFamily(string Name, Action<IBusRegistrationConfigurator, MessagingOptions> AddConsumers);

/// <summary>
/// How a process hosts steps: each family's <c>AddXxxSteps(...)</c> registers its engines and its <see cref="StepFamily"/>;
/// <c>AddStepMessaging</c> then puts every registered family's consumers on the bus. The services and the embedded CLI
/// compose the same families, only the transport and the set of families differ.
/// </summary>
public static class StepHosting
{
    /// <summary>Registers a family (once by name) and the client that sends steps.</summary>
    public static IServiceCollection AddStepFamily(this IServiceCollection services, StepFamily family)
    {
        if (!Families(services).Any(f => f.Name == family.Name)) services.AddSingleton(family);
        services.TryAddSingleton<StepClient>();
        return services;
    }

    /// <summary>MassTransit on the configured transport with the consumers of every family registered so far.</summary>
    public static IServiceCollection AddStepMessaging(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton<StepClient>();
        return services.AddMerFactoryMessaging(configuration, (bus, options) => AddConsumers(services, bus, options));
    }

    /// <inheritdoc cref="AddStepMessaging(IServiceCollection, IConfiguration)"/>
    public static IServiceCollection AddStepMessaging(this IServiceCollection services, MessagingOptions options)
    {
        services.TryAddSingleton<StepClient>();
        return services.AddMerFactoryMessaging(options, (bus, messaging) => AddConsumers(services, bus, messaging));
    }

    private static void AddConsumers(IServiceCollection services, IBusRegistrationConfigurator bus, MessagingOptions options)
    {
        foreach (var family in Families(services)) family.AddConsumers(bus, options);
    }

    private static IEnumerable<StepFamily> Families(IServiceCollection services) =>
        services.Where(d => d.ServiceType == typeof(StepFamily) && d.ImplementationInstance is StepFamily).Select(d => (StepFamily)d.ImplementationInstance!).ToList();

    /// <summary>A step's consumer on its step's queue (the request's <see cref="Contracts.StepAttribute"/> name).</summary>
    public static IConsumerRegistrationConfigurator<TConsumer> AddStepConsumer<TConsumer, TRequest>(this IBusRegistrationConfigurator bus, MessagingOptions options,
        int concurrentRequests = 0)
        where TConsumer : class, IConsumer<TRequest>
        where TRequest : class, Contracts.IStepRequest
    {
        var consumer = bus.AddConsumer<TConsumer>();
        consumer.Endpoint(e =>
        {
            e.Name = options.QueueName(StepQueues.For<TRequest>());
            if (concurrentRequests > 0) e.ConcurrentMessageLimit = concurrentRequests;
        });
        return consumer;
    }
}
