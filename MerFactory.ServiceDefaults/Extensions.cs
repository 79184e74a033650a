using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The defaults every MerFactory service shares: OpenTelemetry, health, service discovery and
/// HTTP resilience with timeouts sized for media and LLM work.
/// </summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>Activity sources and meters MerFactory's own components emit; exported with the rest.</summary>
    public const string TelemetryPrefix = "MerFactory";

    private const string HealthEndpointPath = "/health";
    private const string AlivenessEndpointPath = "/alive";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.AddBasicServiceDefaults();
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler(ConfigureLongRunningResilience);
            http.AddServiceDiscovery();
        });
        return builder;
    }

    /// <summary>Telemetry and health without HTTP client defaults (for workers and the embedded CLI).</summary>
    public static TBuilder AddBasicServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        return builder;
    }

    /// <summary>
    /// The standard handler's 10 s attempt timeout would cut off LLM calls and media transfers,
    /// so attempts get 5 minutes and a whole request (with retries) 15 minutes.
    /// </summary>
    public static void ConfigureLongRunningResilience(HttpStandardResilienceOptions options)
    {
        options.AttemptTimeout.Timeout = TimeSpan.FromMinutes(5);
        options.TotalRequestTimeout.Timeout = TimeSpan.FromMinutes(15);
        // The circuit breaker's sampling window must be at least twice the attempt timeout.
        options.CircuitBreaker.SamplingDuration = TimeSpan.FromMinutes(10);
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter("MassTransit")
                .AddMeter(TelemetryPrefix + ".*")
                .AddMeter("Experimental.Microsoft.Extensions.AI"))
            .WithTracing(tracing =>
            {
                if (builder.Environment.IsDevelopment()) tracing.SetSampler(new AlwaysOnSampler());
                tracing
                    .AddSource(builder.Environment.ApplicationName)
                    .AddSource("MassTransit")
                    .AddSource(TelemetryPrefix + ".*")
                    .AddSource("Experimental.Microsoft.Extensions.AI")
                    .AddAspNetCoreInstrumentation(o => o.Filter = ctx =>
                        !ctx.Request.Path.StartsWithSegments(HealthEndpointPath) &&
                        !ctx.Request.Path.StartsWithSegments(AlivenessEndpointPath))
                    .AddGrpcClientInstrumentation()
                    .AddHttpClientInstrumentation();
            });

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }
        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);
        return builder;
    }

    /// <summary>gRPC with reflection and grpc.health.v1 on top of the service defaults.</summary>
    public static WebApplicationBuilder AddGrpcServiceDefaults(this WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults();
        builder.AddApiAuthentication();
        builder.Services.AddGrpc(o =>
        {
            o.EnableDetailedErrors = builder.Environment.IsDevelopment();
            o.Interceptors.Add<InvalidArgumentInterceptor>();
        });
        builder.Services.AddGrpcReflection();
        builder.Services.AddGrpcHealthChecks().AddCheck("grpc", () => HealthCheckResult.Healthy());
        // Under the AppHost a service gets two ports: gRPC over h2c (HTTP/2 only, which plain-text gRPC needs)
        // and HTTP/1.1 for health probes and browsers. Without them, appsettings' endpoint defaults apply.
        // In a container (DOTNET_RUNNING_IN_CONTAINER, set by the base image as by Microsoft's) the network is the
        // container's own: on loopback the service would be unreachable through its port mapping and from its peers.
        var inContainer = string.Equals(builder.Configuration["DOTNET_RUNNING_IN_CONTAINER"], "true", StringComparison.OrdinalIgnoreCase);
        if (int.TryParse(builder.Configuration["MERFACTORY_GRPC_PORT"], out var grpcPort))
        {
            _ = int.TryParse(builder.Configuration["MERFACTORY_HTTP_PORT"], out var httpPort);
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                void Listen(int port, Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols protocols)
                {
                    if (inContainer) kestrel.ListenAnyIP(port, o => o.Protocols = protocols);
                    else kestrel.ListenLocalhost(port, o => o.Protocols = protocols);
                }
                Listen(grpcPort, Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http2);
                if (httpPort > 0) Listen(httpPort, Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http1);
            });
        }
        return builder;
    }

    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        // Health is always mapped: the AppHost and CI probe it outside Development too.
        // Health is open to probes (it names no data); everything else, reflection included, needs a token.
        // Degraded (a bus reconnecting to its broker) is not ready either: the AppHost and probes see 503, not 200.
        app.MapHealthChecks(HealthEndpointPath, new HealthCheckOptions
        {
            ResultStatusCodes = { [HealthStatus.Healthy] = 200, [HealthStatus.Degraded] = 503, [HealthStatus.Unhealthy] = 503 },
        }).AllowAnonymous();
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions { Predicate = r => r.Tags.Contains("live") }).AllowAnonymous();
        app.MapGrpcHealthChecksService().AllowAnonymous();
        app.MapGrpcReflectionService();
        return app;
    }
}
