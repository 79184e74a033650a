using Microsoft.AspNetCore.Http;

namespace MerFactory.Dashboard.Security;

/// <summary>
/// Refuses state-changing requests a browser marks as coming from another site (<c>Sec-Fetch-Site: cross-site</c>),
/// before any handler runs; form posts are checked again by antiforgery tokens.
/// </summary>
public sealed class SameOriginWrites(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        var method = context.Request.Method;
        if (!HttpMethods.IsGet(method) && !HttpMethods.IsHead(method) && !HttpMethods.IsOptions(method)
            && context.Request.Headers["Sec-Fetch-Site"].ToString() is "cross-site" or "same-site")
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return Task.CompletedTask;
        }
        return next(context);
    }
}
