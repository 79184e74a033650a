using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

// GetEnvironmentVariableValuesAsync is marked obsolete in favour of ExecutionConfigurationBuilder, but it is still the
// one-call way for a test to read a resource's environment without starting the application.
#pragma warning disable CS0618

namespace MerFactory.AppHost.Tests;

/// <summary>The AppHost's model, inspected without starting it: how hf-server and the llm-gateway are wired.</summary>
public sealed class HfServerWiringTests
{
    private static async Task<IDistributedApplicationTestingBuilder> ModelAsync(params string[] arguments) =>
        await DistributedApplicationTestingBuilder.CreateAsync<Projects.MerFactory_AppHost>(["MerFactory:UseContainers=false", .. arguments]);

    private static IResource Resource(IDistributedApplicationTestingBuilder builder, string name) => builder.Resources.Single(r => r.Name == name);

    private static bool WaitsFor(IResource resource, string dependency) =>
        resource.Annotations.OfType<WaitAnnotation>().Any(w => w.Resource.Name == dependency);

    [Fact]
    public async Task The_gateway_waits_for_hf_server_only_when_a_route_uses_it()
    {
        await using (var unrouted = await ModelAsync("LlmGateway:Default:Backend=local", "LlmGateway:Default:Model=gpt-4o"))
            Assert.False(WaitsFor(Resource(unrouted, "llm-gateway"), "hf-server"));
        await using (var routed = await ModelAsync("LlmGateway:Default:Backend=hf", "LlmGateway:Default:Model=tiny"))
            Assert.True(WaitsFor(Resource(routed, "llm-gateway"), "hf-server"));
        await using (var stepRouted = await ModelAsync("LlmGateway:Backends:mine:Kind=HfServer", "LlmGateway:Steps:Synthesis:Backend=mine", "LlmGateway:Steps:Synthesis:Model=tiny"))
            Assert.True(WaitsFor(Resource(stepRouted, "llm-gateway"), "hf-server"));
    }

    [Fact]
    public async Task Hf_server_has_a_health_check_its_models_folder_from_configuration_and_a_key_shared_with_the_gateway()
    {
        await using var builder = await ModelAsync("ModelHost:ModelsDirectory=/srv/models", "ModelHost:DefaultModel=Qwen/Qwen2.5-Omni-3B");
        var hfServer = Resource(builder, "hf-server");
        Assert.Contains(hfServer.Annotations, a => a is HealthCheckAnnotation);
        // Publish mode renders endpoint and parameter references as expressions, so nothing needs to be started.
        var hfEnv = await ((IResourceWithEnvironment)hfServer).GetEnvironmentVariableValuesAsync(DistributedApplicationOperation.Publish);
        Assert.Equal("/srv/models", hfEnv["ModelHost__ModelsDirectory"]);
        Assert.Equal("Qwen/Qwen2.5-Omni-3B", hfEnv["ModelHost__DefaultModel"]);
        var gatewayEnv = await ((IResourceWithEnvironment)Resource(builder, "llm-gateway")).GetEnvironmentVariableValuesAsync(DistributedApplicationOperation.Publish);
        Assert.Equal("HfServer", gatewayEnv["LlmGateway__Backends__hf__Kind"]);
        Assert.Contains("hf-server.bindings.http", gatewayEnv["LlmGateway__Backends__hf__BaseUrl"]);
        Assert.Contains("hf-server-api-key", hfEnv["ModelHost__ApiKey"]);
        Assert.Equal(hfEnv["ModelHost__ApiKey"], gatewayEnv["LlmGateway__Backends__hf__ApiKey"]);
    }
}
