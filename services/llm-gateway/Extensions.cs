using MerFactory.Llm;
using MerFactory.Llm.Routing;
using MerFactory.Storage;
using MerFactory.Steps;
using MerFactory.Steps.Llm;

namespace MerFactory.LlmGateway;

internal static class Extensions
{
    /// <summary>Object store, the LLM step family (the gateway routed from <c>LlmGateway:*</c>) and its consumer on the configured transport.</summary>
    public static void AddLlmGatewayServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddObjectStore(builder.Configuration);
        builder.Services.AddLlmSteps(builder.Configuration, WithEnvironmentKeys);
        builder.Services.AddStepMessaging(builder.Configuration);
    }

    /// <summary>
    /// Configured Gemini/OpenAI backends without a key take GOOGLE_API_KEY / OPENAI_API_KEY; with no route configured,
    /// GOOGLE_API_KEY alone selects Gemini (MER-Factory's default). Keys go only into auth headers, never into logs.
    /// </summary>
    private static LlmRoutingOptions WithEnvironmentKeys(LlmRoutingOptions configured)
    {
        // Filling a missing key is idempotent, so doing it on the bound options is safe when applied twice.
        foreach (var backend in configured.Backends.Values)
        {
            backend.ApiKey ??= backend.Kind switch
            {
                LlmBackendKind.Gemini => NonEmpty(Environment.GetEnvironmentVariable("GOOGLE_API_KEY")),
                LlmBackendKind.OpenAI or LlmBackendKind.OpenAICompatible => NonEmpty(Environment.GetEnvironmentVariable("OPENAI_API_KEY")),
                _ => null,
            };
        }
        // No model flags: keeps the configured routes, or picks Gemini when only GOOGLE_API_KEY is set; rejects routed Gemini/OpenAI backends without a key.
        return LlmRouting.FromCliFlags(new LlmCliFlags(), null, configured);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
