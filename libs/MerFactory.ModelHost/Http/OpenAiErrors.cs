using System.Text.Json.Nodes;
using MerFactory.ModelHost.Inference;
using MerFactory.ModelHost.Serving;
using Microsoft.AspNetCore.Http;

namespace MerFactory.ModelHost.Http;

/// <summary>Maps the host's failures onto OpenAI's error body <c>{"error": {message, type, code, param}}</c> and status.</summary>
public static class OpenAiErrors
{
    /// <summary>The typed code of a request carrying a modality its model lacks (400).</summary>
    public const string ModalityNotSupported = "modality_not_supported";

    public static IResult? ToResult(Exception exception, HttpContext context) => exception switch
    {
        QueueFullException full => WithRetryAfter(context, full.RetryAfterSeconds, Error(429, full.Message, "rate_limit_error", "queue_full")),
        ModalityNotSupportedException modality => Error(400, modality.Message, "invalid_request_error", ModalityNotSupported, modality.Requested.ToString().ToLowerInvariant()),
        ModelNotFoundException missing => Error(404, missing.Message, "invalid_request_error", "model_not_found", "model"),
        InvalidChatRequestException invalid => Error(400, invalid.Message, "invalid_request_error", "invalid_request", invalid.Param),
        InvalidDataException media => Error(400, media.Message, "invalid_request_error", "invalid_media"),
        ModelLoadException load => Error(500, load.Message, "server_error", "model_load_failed"),
        _ => null,
    };

    public static IResult Error(int status, string message, string type, string code, string? param = null) =>
        Results.Json(new JsonObject
        {
            ["error"] = new JsonObject { ["message"] = message, ["type"] = type, ["code"] = code, ["param"] = param },
        }, statusCode: status);

    private static IResult WithRetryAfter(HttpContext context, int seconds, IResult result)
    {
        context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return result;
    }
}
