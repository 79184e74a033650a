using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;

namespace MerFactory.AppHost;

/// <summary>The hf-server resource (the local model host) and the llm-gateway's link to it.</summary>
internal static class HfServerExtensions
{
    /// <summary>
    /// The model host with its <c>ModelHost</c> section (models folder, default model, slots, LRU) and a key generated
    /// for this run: only the gateway, which gets the same key, may call it. Its /health is 503 until the default model
    /// has loaded, so the resource shows healthy only when it can answer.
    /// </summary>
    public static IResourceBuilder<ProjectResource> AddHfServer(this IDistributedApplicationBuilder builder, Infrastructure infrastructure, out IResourceBuilder<ParameterResource> apiKey)
    {
        apiKey = builder.AddParameter("hf-server-api-key", Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)), secret: true);
        return builder.AddMerFactoryService<Projects.MerFactory_HfServer>("hf-server", infrastructure)
            .WithConfigurationSections("ModelHost")
            .WithEnvironment("ModelHost__ApiKey", apiKey)
            // The service's bearer-token authentication (every API) accepts the model key too: its OpenAI clients send only that.
            .WithEnvironment("Auth__Tokens__model-clients", apiKey);
    }

    /// <summary>
    /// Points the gateway's "hf" backend at the model host's OpenAI-compatible endpoint; the gateway waits for the
    /// host (and its model) only when a configured route uses that backend, so deployments without local models do
    /// not wait for a model that is never asked for.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithHfServer(this IResourceBuilder<ProjectResource> gateway, IResourceBuilder<ProjectResource> hfServer, IResourceBuilder<ParameterResource> apiKey)
    {
        gateway.WithEnvironment("LlmGateway__Backends__hf__Kind", "HfServer")
            .WithEnvironment("LlmGateway__Backends__hf__BaseUrl", hfServer.GetEndpoint("http"))
            .WithEnvironment("LlmGateway__Backends__hf__ApiKey", apiKey)
            .WithEnvironment("LlmGateway__Backends__hf__MaxConcurrency", "1");
        if (RoutesUseHf(gateway.ApplicationBuilder.Configuration.GetSection("LlmGateway"))) gateway.WaitFor(hfServer);
        return gateway;
    }

    /// <summary>True when the default route or a step route names the "hf" backend or another backend of kind HfServer.</summary>
    internal static bool RoutesUseHf(IConfiguration gateway)
    {
        var hfBackends = gateway.GetSection("Backends").GetChildren()
            .Where(b => string.Equals(b["Kind"], "HfServer", StringComparison.OrdinalIgnoreCase)).Select(b => b.Key)
            .Append("hf").ToHashSet(StringComparer.OrdinalIgnoreCase);
        var routes = gateway.GetSection("Steps").GetChildren().Select(s => s["Backend"]).Append(gateway["Default:Backend"]);
        return routes.Any(r => r is not null && hfBackends.Contains(r));
    }
}
