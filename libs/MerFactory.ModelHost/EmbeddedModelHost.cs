using System.Net;
using System.Security.Cryptography;
using MerFactory.ModelHost.Http;
using MerFactory.ModelHost.Inference;
using MerFactory.ModelHost.Models;
using MerFactory.ModelHost.Serving;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MerFactory.ModelHost;

/// <summary>
/// The model host inside the CLI's own process (the embedded default for <c>--huggingface-model</c>): the same library
/// and OpenAI-compatible surface as the hf-server service, on 127.0.0.1 with a random port and a random API key, so the
/// pipeline's client code is identical whether the model runs here or on another machine.
/// </summary>
public sealed class EmbeddedModelHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EmbeddedModelHost(WebApplication app, Uri baseUrl, string apiKey, string model, ModelModality modalities)
    {
        _app = app;
        BaseUrl = baseUrl;
        ApiKey = apiKey;
        Model = model;
        Modalities = modalities;
    }

    /// <summary>Root URL of the OpenAI-compatible surface (chat at <c>v1/chat/completions</c>).</summary>
    public Uri BaseUrl { get; }
    public string ApiKey { get; }
    public string Model { get; }
    public ModelModality Modalities { get; }

    /// <summary>
    /// Starts the host and loads <paramref name="model"/> (a .gguf path, a catalogue id or a file in the models folder);
    /// throws <see cref="ModelNotFoundException"/>/<see cref="ModelLoadException"/> when it cannot be loaded.
    /// <paramref name="configuration"/> supplies the <c>ModelHost</c> section (e.g. <c>ModelHost__ModelsDirectory</c>).
    /// </summary>
    public static async Task<EmbeddedModelHost> StartAsync(string model, IConfiguration configuration, CancellationToken cancellationToken)
    {
        var apiKey = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o =>
        {
            o.Listen(IPAddress.Loopback, 0);
            o.Limits.MaxRequestBodySize = null;
        });
        builder.Services.AddModelHost(configuration, o =>
        {
            o.ApiKey = apiKey;
            o.DefaultModel = model;
            if (model.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase) && File.Exists(model))
            {
                var path = Path.GetFullPath(model);
                o.Models.Add(new ModelDefinition { Id = model, Path = path, MmprojPath = ModelResolver.ProjectorBeside(path) });
            }
        });
        var app = builder.Build();
        app.MapModelHost();
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await app.Services.GetRequiredService<DefaultModelReadiness>().Ready.WaitAsync(cancellationToken).ConfigureAwait(false);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            var loaded = app.Services.GetRequiredService<ModelPool>().Loaded.First(l => string.Equals(l.Id, model, StringComparison.OrdinalIgnoreCase));
            return new EmbeddedModelHost(app, new Uri(address.TrimEnd('/') + "/"), apiKey, model, loaded.Modalities);
        }
        catch
        {
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
