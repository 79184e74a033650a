using MassTransit;
using MerFactory.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace MerFactory.Pipeline.Tests;

/// <summary>A started in-memory bus over a filesystem store, with whatever step families or consumers a test registers.</summary>
internal sealed class InMemoryStepHost : IAsyncDisposable
{
    private readonly IBusControl _bus;

    private InMemoryStepHost(ServiceProvider services)
    {
        Services = services;
        _bus = services.GetRequiredService<IBusControl>();
    }

    public ServiceProvider Services { get; }

    /// <param name="register">Registers the steps and the messaging (e.g. <c>AddMediaSteps</c> then <c>AddStepMessaging</c>).</param>
    public static async Task<InMemoryStepHost> StartAsync(string storeRoot, Action<IServiceCollection> register)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddObjectStore(new ObjectStoreOptions { Provider = "FileSystem", Root = storeRoot });
        register(services);
        var host = new InMemoryStepHost(services.BuildServiceProvider());
        await host._bus.StartAsync();
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        await _bus.StopAsync();
        await Services.DisposeAsync();
    }
}
