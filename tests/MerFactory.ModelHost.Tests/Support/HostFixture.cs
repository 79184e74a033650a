using System.Net;
using MerFactory.ModelHost.Grpc;
using MerFactory.ModelHost.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using MerFactory.ModelHost.Inference;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MerFactory.ModelHost.Tests.Support;

/// <summary>A real model host (Kestrel on 127.0.0.1:0, LLamaSharp, Whisper.net) over a temporary models folder.</summary>
public sealed class TestHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestHost(WebApplication app, Uri baseUrl, string folder)
    {
        _app = app;
        BaseUrl = baseUrl;
        ModelsFolder = folder;
        Http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromMinutes(2) };
    }

    public Uri BaseUrl { get; }
    public Uri GrpcUrl { get; private init; } = null!;
    public string ModelsFolder { get; }
    public HttpClient Http { get; }
    public IServiceProvider Services => _app.Services;
    public T Get<T>() where T : notnull => _app.Services.GetRequiredService<T>();

    /// <summary>A models folder holding the tiny GGUF as <c>tiny.gguf</c> (and more names when asked), shared per test class.</summary>
    public static string NewModelsFolder(params string[] names)
    {
        var folder = Directory.CreateTempSubdirectory("merfactory-modelhost-").FullName;
        var seed = 11;
        foreach (var name in names.Length == 0 ? ["tiny"] : names) TinyGguf.Write(Path.Combine(folder, name + ".gguf"), seed++);
        return folder;
    }

    public static async Task<TestHost> StartAsync(string modelsFolder, Action<ModelHostOptions>? configure = null, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o =>
        {
            o.Listen(IPAddress.Loopback, 0);
            o.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2); // gRPC (h2c)
        });
        builder.Services.AddGrpc();
        builder.Services.AddModelHost(new ConfigurationBuilder().Build(), o =>
        {
            o.ModelsDirectory = modelsFolder;
            o.ContextSize = 512;
            o.DefaultMaxTokens = 16;
            configure?.Invoke(o);
        });
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapModelHost(mapHealth: true);
        app.MapGrpcService<ModelServerGrpcService>();
        await app.StartAsync();
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.ToList();
        return new TestHost(app, new Uri(addresses[0].TrimEnd('/') + "/"), modelsFolder) { GrpcUrl = new Uri(addresses[1]) };
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>The real loader behind a gate the test opens, so "still loading" is a state the test holds, not a race.</summary>
public sealed class GatedLoader(IModelLoader inner) : IModelLoader
{
    public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task<LocalModel> LoadAsync(ModelDefinition definition, CancellationToken cancellationToken)
    {
        Entered.TrySetResult();
        await Gate.Task.WaitAsync(cancellationToken);
        return await inner.LoadAsync(definition, cancellationToken);
    }
}
