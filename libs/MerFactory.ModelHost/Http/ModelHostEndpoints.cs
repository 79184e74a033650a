using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using MerFactory.ModelHost.Inference;
using MerFactory.ModelHost.Models;
using MerFactory.ModelHost.Serving;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MerFactory.ModelHost.Http;

/// <summary>
/// The OpenAI-compatible surface, shaped like llama-server's so either can stand in for the other:
/// <c>POST /v1/chat/completions</c>, <c>POST /v1/audio/transcriptions</c>, <c>GET /v1/models</c> (with modalities),
/// <c>GET /props</c> and optionally <c>GET /health</c> (503 until the default model is loaded).
/// </summary>
public static class ModelHostEndpoints
{
    public static IEndpointRouteBuilder MapModelHost(this IEndpointRouteBuilder app, bool mapHealth = false)
    {
        var api = app.MapGroup("").AddEndpointFilter(RequireApiKeyAsync);
        api.MapPost("/v1/chat/completions", ChatCompletionsEndpoint.HandleAsync);
        api.MapPost("/v1/audio/transcriptions", TranscribeAsync).DisableAntiforgery();
        api.MapGet("/v1/models", ListModels);
        api.MapGet("/props", Props);
        if (mapHealth) app.MapHealthChecks("/health");
        return app;
    }

    private static async ValueTask<object?> RequireApiKeyAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var key = context.HttpContext.RequestServices.GetRequiredService<IOptions<ModelHostOptions>>().Value.ApiKey;
        if (string.IsNullOrEmpty(key)) return await next(context);
        var header = context.HttpContext.Request.Headers.Authorization.ToString();
        var given = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : "";
        // Constant-time comparison: the key is the only thing between the network and the models.
        if (CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(key))) return await next(context);
        return OpenAiErrors.Error(401, "missing or wrong API key (Authorization: Bearer KEY)", "invalid_request_error", "invalid_api_key");
    }

    private static async Task<IResult> TranscribeAsync(HttpContext context, LocalModelHost host, IOptions<ModelHostOptions> options)
    {
        try
        {
            if (!context.Request.HasFormContentType) throw new InvalidChatRequestException("send multipart/form-data with 'file' and 'model'", "file");
            var form = await context.Request.ReadFormAsync(context.RequestAborted);
            var file = form.Files.GetFile("file") ?? throw new InvalidChatRequestException("'file' is required", "file");
            var model = form["model"].ToString() is { Length: > 0 } m ? m : options.Value.DefaultModel ?? throw new InvalidChatRequestException("'model' is required", "model");
            using var buffer = new MemoryStream();
            await file.CopyToAsync(buffer, context.RequestAborted);
            var language = form["language"].ToString() is { Length: > 0 } l ? l : null;
            var text = await host.TranscribeAsync(model, buffer.ToArray(), language, context.RequestAborted);
            return form["response_format"].ToString() == "text" ? Results.Text(text) : Results.Json(new JsonObject { ["text"] = text });
        }
        catch (Exception ex) when (OpenAiErrors.ToResult(ex, context) is { } error)
        {
            return error;
        }
    }

    private static IResult ListModels(LocalModelHost host, ModelResolver resolver)
    {
        var loaded = host.Pool.Loaded.ToDictionary(l => l.Id, l => l.Modalities, StringComparer.OrdinalIgnoreCase);
        var data = new JsonArray();
        foreach (var id in resolver.Available().Concat(loaded.Keys).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var entry = new JsonObject { ["id"] = id, ["object"] = "model", ["created"] = 0, ["owned_by"] = "merfactory" };
            if (loaded.TryGetValue(id, out var modalities))
            {
                entry["modalities"] = new JsonArray(modalities.Names().Select(n => (JsonNode)n).ToArray());
                entry["status"] = new JsonObject { ["value"] = "loaded" };
            }
            else
            {
                // Not loaded: what the catalogue says it takes, confirmed once it loads.
                if (GgufCatalogue.Find(id) is { } known) entry["modalities"] = new JsonArray(known.Takes.Split(',').Select(n => (JsonNode)n).ToArray());
                entry["status"] = new JsonObject { ["value"] = "unloaded" };
            }
            data.Add(entry);
        }
        return Results.Json(new JsonObject { ["object"] = "list", ["data"] = data });
    }

    /// <summary>llama-server's <c>/props</c> subset: the default model and its modalities, the slot count.</summary>
    private static IResult Props(LocalModelHost host, IOptions<ModelHostOptions> options)
    {
        var settings = options.Value;
        var loaded = host.Pool.Loaded.FirstOrDefault(l => string.Equals(l.Id, settings.DefaultModel, StringComparison.OrdinalIgnoreCase));
        return Results.Json(new JsonObject
        {
            ["model_path"] = settings.DefaultModel,
            ["total_slots"] = host.Slots.Slots,
            ["modalities"] = new JsonObject
            {
                ["vision"] = loaded.Modalities.HasFlag(ModelModality.Image),
                ["audio"] = loaded.Modalities.HasFlag(ModelModality.Audio),
            },
        });
    }
}
