using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace MerFactory.AppHost;

/// <summary>The broker and object store every service talks through, the database, and how to reach Ollama.</summary>
internal sealed record Infrastructure(
    IResourceBuilder<IResourceWithConnectionString> Messaging,
    IResourceBuilder<IResource> Broker,
    IResourceBuilder<IResourceWithConnectionString> ObjectStore,
    IResourceBuilder<IResource> ObjectStoreServer,
    string S3AccessKey,
    IResourceBuilder<ParameterResource> S3SecretKey,
    bool UsesContainers,
    IResourceBuilder<IResource>? Ollama,
    ReferenceExpression? OllamaUrl,
    Database Database);

internal static class InfrastructureExtensions
{
    public static Infrastructure AddMerFactoryInfrastructure(this IDistributedApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection("MerFactory");
        // A published deployment runs containers wherever it goes: executables are this machine's paths and packages.
        var useContainers = builder.ExecutionContext.IsPublishMode || settings["UseContainers"] switch
        {
            "true" => true,
            "false" => false,
            _ => ContainerRuntimeIsHealthy(),
        };
        return useContainers ? AddContainers(builder, settings) : AddExecutables(builder, settings);
    }

    /// <summary>Pinned images (a deployment never changes under a moving tag), data on named volumes, secrets as parameters.</summary>
    private const string MinioTag = "RELEASE.2025-09-07T16-13-09Z", OllamaTag = "0.12.3";

    private static Infrastructure AddContainers(IDistributedApplicationBuilder builder, IConfiguration settings)
    {
        var rabbit = builder.AddRabbitMQ("messaging").WithDataVolume("merfactory-rabbitmq-data");
        const string minioUser = "merfactory";
        var minioPassword = builder.AddParameter("minio-password", new GenerateParameterDefault { MinLength = 24, Special = false }, secret: true, persist: true);
        var minio = builder.AddContainer("minio", "minio/minio", MinioTag)
            .WithArgs("server", "/data")
            .WithEnvironment("MINIO_ROOT_USER", minioUser)
            .WithEnvironment("MINIO_ROOT_PASSWORD", minioPassword)
            .WithVolume("merfactory-minio-data", "/data")
            .WithHttpEndpoint(targetPort: 9000, name: "api")
            .WithHttpHealthCheck("/minio/health/live", endpointName: "api");
        if (builder.ExecutionContext.IsRunMode) rabbit.WithLifetime(ContainerLifetime.Persistent);
        var objectStore = builder.AddConnectionString("objectstore", ReferenceExpression.Create($"{minio.GetEndpoint("api")}"));
        IResourceBuilder<IResource>? ollama = null;
        ReferenceExpression? ollamaUrl = null;
        if (settings["OllamaUrl"] is { Length: > 0 } url)
        {
            ollamaUrl = ReferenceExpression.Create($"{url}");
        }
        else
        {
            var container = builder.AddContainer("ollama", "ollama/ollama", OllamaTag)
                .WithVolume("merfactory-ollama-models", "/root/.ollama")
                .WithHttpEndpoint(targetPort: 11434, name: "http");
            ollama = container;
            ollamaUrl = ReferenceExpression.Create($"{container.GetEndpoint("http")}");
        }
        return new Infrastructure(rabbit, rabbit, objectStore, minio, minioUser, minioPassword, true, ollama, ollamaUrl, builder.AddPostgresContainer());
    }

    /// <summary>No container runtime (as on these machines): Debian's rabbitmq-server, npm s3rver and Debian's postgres as plain processes on loopback.</summary>
    private static Infrastructure AddExecutables(IDistributedApplicationBuilder builder, IConfiguration settings)
    {
        var amqpPort = settings.GetValue("AmqpPort", 15210);
        var s3Port = settings.GetValue("S3Port", 15310);
        // Broker and object-store data; a test gives each run its own folder (and ports) so runs never share state.
        var state = settings["StateDirectory"] is { Length: > 0 } configured ? configured : Path.Combine(Path.GetTempPath(), "merfactory-apphost", $"state-{amqpPort}");
        var rabbitState = Path.Combine(state, "rabbitmq");
        Directory.CreateDirectory(Path.Combine(rabbitState, "home"));
        File.WriteAllText(Path.Combine(rabbitState, "empty"), "");
        File.WriteAllText(Path.Combine(rabbitState, "enabled_plugins"), "[].");
        File.WriteAllText(Path.Combine(rabbitState, "rabbitmq.conf"), $"listeners.tcp.default = 127.0.0.1:{amqpPort}\nloopback_users = none\n");

        builder.Services.AddHealthChecks()
            .AddCheck("messaging-broker-amqp", new AmqpHealthCheck(new Uri($"amqp://guest:guest@127.0.0.1:{amqpPort}")))
            .AddCheck("objectstore-s3-http", new S3HealthCheck(new Uri($"http://127.0.0.1:{s3Port}/")));

        var broker = builder.AddExecutable("messaging-broker", "/usr/lib/rabbitmq/bin/rabbitmq-server", rabbitState)
            .WithEnvironment("HOME", Path.Combine(rabbitState, "home"))
            .WithEnvironment("RABBITMQ_NODENAME", "merfactory" + amqpPort + "@localhost")
            .WithEnvironment("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1")
            .WithEnvironment("RABBITMQ_NODE_PORT", amqpPort.ToString())
            .WithEnvironment("RABBITMQ_DIST_PORT", (amqpPort + 1).ToString())
            .WithEnvironment("ERL_EPMD_ADDRESS", "127.0.0.1")
            .WithEnvironment("ERL_EPMD_PORT", (amqpPort + 2).ToString())
            .WithEnvironment("RABBITMQ_MNESIA_BASE", Path.Combine(rabbitState, "mnesia"))
            .WithEnvironment("RABBITMQ_LOG_BASE", Path.Combine(rabbitState, "log"))
            .WithEnvironment("RABBITMQ_CONFIG_FILE", Path.Combine(rabbitState, "rabbitmq.conf"))
            .WithEnvironment("RABBITMQ_ENABLED_PLUGINS_FILE", Path.Combine(rabbitState, "enabled_plugins"))
            .WithEnvironment("RABBITMQ_PID_FILE", Path.Combine(rabbitState, "rabbit.pid"))
            .WithEnvironment("RABBITMQ_CONF_ENV_FILE", Path.Combine(rabbitState, "empty"))
            .WithEnvironment("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", "-kernel inet_dist_use_interface {127,0,0,1}")
            .WithHealthCheck("messaging-broker-amqp");
        var messaging = builder.AddConnectionString("messaging", ReferenceExpression.Create($"amqp://guest:guest@127.0.0.1:{amqpPort.ToString()}"));

        var s3Tools = Path.Combine(RepositoryRoot(), "tools", "s3");
        var s3 = builder.AddExecutable("objectstore-s3", "node", s3Tools, "server.js",
                "--address", "127.0.0.1", "--port", s3Port.ToString(), "--directory", Path.Combine(state, "s3"), "--silent")
            .WithHealthCheck("objectstore-s3-http");
        var objectStore = builder.AddConnectionString("objectstore", ReferenceExpression.Create($"http://127.0.0.1:{s3Port.ToString()}"));

        ReferenceExpression? ollamaUrl = settings["OllamaUrl"] is { Length: > 0 } url ? ReferenceExpression.Create($"{url}") : null;
        var database = builder.AddPostgresExecutable(settings, state, Path.Combine(RepositoryRoot(), "tools"));
        // s3rver's fixed development credentials, as a parameter like every other secret.
        var s3Secret = builder.AddParameter("objectstore-secret-key", "S3RVER", secret: true);
        return new Infrastructure(messaging, broker, objectStore, s3, "S3RVER", s3Secret, false, null, ollamaUrl, database);
    }

    public static IResourceBuilder<ProjectResource> AddMerFactoryService<TProject>(this IDistributedApplicationBuilder builder, string name, Infrastructure infrastructure)
        where TProject : IProjectMetadata, new()
    {
        // Two endpoints: gRPC needs HTTP/2 only (h2c); health probes speak HTTP/1.1 (see ServiceDefaults). A published
        // deployment gets fixed container ports; here DCP picks them.
        var publish = builder.ExecutionContext.IsPublishMode;
        return builder.AddProject<TProject>(name, launchProfileName: null)
            .WithHttpEndpoint(name: "grpc", targetPort: publish ? GrpcTargetPort : null, env: "MERFACTORY_GRPC_PORT")
            .WithEndpoint("grpc", e => e.Transport = "http2")
            .WithHttpEndpoint(name: "http", targetPort: publish ? HttpTargetPort : null, env: "MERFACTORY_HTTP_PORT")
            .WithHttpHealthCheck("/health", endpointName: "http")
            // The dashboard links a browser can follow (health over HTTP/1.1); the gRPC address is listed in the details.
            .WithUrlForEndpoint("grpc", u => { u.DisplayText = "gRPC (h2c)"; u.DisplayLocation = UrlDisplayLocation.DetailsOnly; })
            .WithUrlForEndpoint("http", u => { u.Url = "/health"; u.DisplayText = "health"; })
            .WithServiceCredential()
            .WithReference(infrastructure.Messaging).WaitFor(infrastructure.Broker)
            .WithReference(infrastructure.ObjectStore).WaitFor(infrastructure.ObjectStoreServer)
            .WithEnvironment("ObjectStore__S3__AccessKey", infrastructure.S3AccessKey)
            .WithEnvironment("ObjectStore__S3__SecretKey", infrastructure.S3SecretKey);
    }

    /// <summary>Container ports of a published service: gRPC (h2c) and HTTP/1.1 (health).</summary>
    public const int GrpcTargetPort = 8080, HttpTargetPort = 8081;

    /// <summary>
    /// The job API on a fixed port (<c>MerFactory:JobApiPort</c>, default 15500), so clients keep one address across
    /// restarts; the AppHost prints it when it starts.
    /// </summary>
    public static IResourceBuilder<ProjectResource> AsJobApi(this IResourceBuilder<ProjectResource> service)
    {
        var builder = service.ApplicationBuilder;
        if (builder.ExecutionContext.IsPublishMode) return service;
        var port = builder.Configuration.GetSection("MerFactory").GetValue("JobApiPort", 15500);
        service.WithEndpoint("grpc", e => e.Port = port);
        builder.Eventing.Subscribe<BeforeStartEvent>((e, _) =>
        {
            e.Services.GetRequiredService<ILoggerFactory>().CreateLogger("MerFactory.AppHost").LogInformation(
                "Job API: http://localhost:{Port} (gRPC). Run jobs there with: merfactory process INPUT OUTPUT --server http://localhost:{Port} --token TOKEN (the api-token parameter: dotnet user-secrets list --project MerFactory.AppHost)",
                port, port);
            return Task.CompletedTask;
        });
        return service;
    }

    public static IResourceBuilder<ProjectResource> WithOllama(this IResourceBuilder<ProjectResource> service, Infrastructure infrastructure)
    {
        // The gateway's Ollama backend reads OLLAMA_HOST, as the ollama CLI does.
        if (infrastructure.OllamaUrl is { } url) service.WithEnvironment("OLLAMA_HOST", url);
        if (infrastructure.Ollama is { } ollama) service.WaitFor(ollama);
        return service;
    }

    /// <summary>
    /// Passes the AppHost's configuration sections (e.g. <c>AuModels</c>, <c>Speech</c>, <c>LlmGateway</c>) to the service as
    /// environment variables, so models and routes are configured once, in the AppHost's appsettings or command line.
    /// Keys named <c>ApiKey</c> (a backend's key) travel as secret parameters, so the dashboard masks them.
    /// </summary>
    /// <summary>The curation dashboard (HTTP only, loopback): object store for records and media, the database for curation.</summary>
    public static IResourceBuilder<ProjectResource> AddMerFactoryDashboard<TProject>(this IDistributedApplicationBuilder builder, Infrastructure infrastructure)
        where TProject : IProjectMetadata, new() =>
        builder.AddProject<TProject>("dashboard", launchProfileName: null)
            .WithHttpEndpoint(name: "http", env: "MERFACTORY_HTTP_PORT")
            .WithHttpHealthCheck("/health", endpointName: "http")
            .WithReference(infrastructure.ObjectStore).WaitFor(infrastructure.ObjectStoreServer)
            .WithEnvironment("ObjectStore__S3__AccessKey", infrastructure.S3AccessKey)
            .WithEnvironment("ObjectStore__S3__SecretKey", infrastructure.S3SecretKey)
            .WithDatabase(infrastructure.Database);

    public static IResourceBuilder<ProjectResource> WithConfigurationSections(this IResourceBuilder<ProjectResource> service, params string[] sections)
    {
        var builder = service.ApplicationBuilder;
        foreach (var section in sections)
        {
            foreach (var (key, value) in builder.Configuration.GetSection(section).AsEnumerable(makePathsRelative: false))
            {
                if (value is null) continue;
                var variable = key.Replace(":", "__", StringComparison.Ordinal);
                if (key.EndsWith(":ApiKey", StringComparison.OrdinalIgnoreCase))
                    service.WithEnvironment(variable, builder.AddParameterFromConfiguration(ParameterName(service.Resource.Name, key), key, secret: true));
                else
                    service.WithEnvironment(variable, value);
            }
        }
        return service;
    }

    /// <summary>
    /// An API key as a secret AppHost parameter (user-secrets: <c>Parameters:google-api-key</c>). Keys are optional:
    /// without one the backend is simply not configured, rather than the service waiting for a value.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithSecretParameter(this IResourceBuilder<ProjectResource> service, string parameterName, string environmentVariable)
    {
        if (string.IsNullOrEmpty(service.ApplicationBuilder.Configuration[$"Parameters:{parameterName}"])) return service;
        var parameter = service.ApplicationBuilder.AddParameter(parameterName, secret: true);
        return service.WithEnvironment(environmentVariable, parameter);
    }

    /// <summary>A resource name for a configuration key: letters, digits and single hyphens.</summary>
    private static string ParameterName(string service, string key)
    {
        var name = new string((service + "-" + key).ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray());
        while (name.Contains("--", StringComparison.Ordinal)) name = name.Replace("--", "-", StringComparison.Ordinal);
        return name.Trim('-');
    }

    private static bool ContainerRuntimeIsHealthy()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("docker", "info --format {{.ServerVersion}}")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
            if (process is null) return false;
            if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                process.Kill();
                return false;
            }
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MerFactory.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("MerFactory.sln not found above " + AppContext.BaseDirectory);
    }
}
