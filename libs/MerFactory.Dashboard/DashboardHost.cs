using MerFactory.Llm.Routing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MerFactory.Dashboard;

/// <summary>The embedded dashboard (<c>merfactory dashboard OUTPUT_DIR</c>): one Kestrel server in this process.</summary>
public static class DashboardHost
{
    /// <summary>
    /// Builds the server. A non-loopback <see cref="DashboardOptions.Host"/> without a token gets a new random one
    /// (read it back from <paramref name="options"/> to print it).
    /// </summary>
    public static WebApplication Build(DashboardOptions options, LlmRoutingOptions? routing = null, Action<IServiceCollection>? configure = null)
    {
        if (!options.IsLoopback && string.IsNullOrEmpty(options.Token)) options.Token = Security.TokenGate.NewToken();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders().AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls($"http://{(options.Host.Contains(':') ? $"[{options.Host}]" : options.Host)}:{options.Port}");
        builder.Services.AddMerFactoryDashboard(options, routing);
        configure?.Invoke(builder.Services);
        var app = builder.Build();
        app.UseMerFactoryDashboard();
        return app;
    }

    /// <summary>The address the server listens on once started (the real port when 0 was asked for).</summary>
    public static Uri Address(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
}
