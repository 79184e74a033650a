namespace MerFactory.AppHost;

/// <summary>
/// The tokens every service API requires (see ServiceDefaults' ApiAuthentication): <c>service-token</c>, which services
/// use to call each other (credential <c>services</c>), and <c>api-token</c>, the clients' credential (<c>default</c>) on the
/// job API and the export service. Both are secret parameters, generated once and kept in the AppHost's user secrets
/// (<c>dotnet user-secrets set Parameters:api-token ...</c> chooses one); <c>merfactory process --server URL --token TOKEN</c> uses it.
/// </summary>
internal static class ApiCredentialExtensions
{
    public const string ServiceCredential = "services";
    public const string UserCredential = "default";

    /// <summary>Services accept the service token (so llm-gateway's paid API answers only MerFactory's own services).</summary>
    public static IResourceBuilder<ProjectResource> WithServiceCredential(this IResourceBuilder<ProjectResource> service) =>
        service.WithEnvironment($"Auth__Tokens__{ServiceCredential}", Token(service.ApplicationBuilder, "service-token"));

    /// <summary>A client-facing API also accepts the clients' token; what that credential makes is kept under its name.</summary>
    public static IResourceBuilder<ProjectResource> WithUserCredential(this IResourceBuilder<ProjectResource> service) =>
        service.WithEnvironment($"Auth__Tokens__{UserCredential}", Token(service.ApplicationBuilder, "api-token"));

    /// <summary>
    /// A client of the job API (the dashboard's run builder): its address as a reference and the clients' token as the
    /// secret parameter, in <c>JobApi:Token</c>; never through a shell or a file.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithJobApiClient(this IResourceBuilder<ProjectResource> client, IResourceBuilder<ProjectResource> jobApi) =>
        client.WithReference(jobApi.GetEndpoint("grpc"))
            .WithEnvironment("JobApi__Token", Token(client.ApplicationBuilder, "api-token"));

    /// <summary>
    /// A deployed dashboard (a container, reached through its port mapping, not loopback) gates every page and API call
    /// with the <c>dashboard-token</c> secret parameter; run locally it stays on loopback and needs none.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithDashboardTokenWhenDeployed(this IResourceBuilder<ProjectResource> dashboard) =>
        dashboard.ApplicationBuilder.ExecutionContext.IsPublishMode
            ? dashboard.WithEnvironment("Dashboard__Token", Token(dashboard.ApplicationBuilder, "dashboard-token"))
            : dashboard;

    private static IResourceBuilder<ParameterResource> Token(IDistributedApplicationBuilder builder, string name)
    {
        if (builder.Resources.OfType<ParameterResource>().FirstOrDefault(p => p.Name == name) is { } existing)
            return builder.CreateResourceBuilder(existing);
        return builder.AddParameter(name, new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true, persist: true);
    }
}
