using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace MerFactory.Dashboard.Security;

/// <summary>
/// Token access, as Jupyter and the Aspire dashboard do it: with a token configured every request must carry it
/// (<c>Authorization: Bearer</c>, the session cookie, or <c>?token=</c> once, which sets the cookie); otherwise 401.
/// Health probes (<c>/health</c>, <c>/alive</c>) pass: they name no data, and a deployment's probes carry no token.
/// </summary>
public sealed class TokenGate(RequestDelegate next, Microsoft.Extensions.Options.IOptions<DashboardOptions> options)
{
    public const string CookieName = "merfactory_token";
    private readonly byte[]? _token = options.Value.Token is { Length: > 0 } token ? Encoding.UTF8.GetBytes(token) : null;

    public async Task InvokeAsync(HttpContext context)
    {
        if (_token is null || IsHealthProbe(context.Request.Path))
        {
            await next(context);
            return;
        }
        if (context.Request.Query.TryGetValue("token", out var query) && Matches(query.ToString()))
        {
            context.Response.Cookies.Append(CookieName, query.ToString(), new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, IsEssential = true });
            await next(context);
            return;
        }
        var header = context.Request.Headers.Authorization.ToString();
        var presented = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..]
            : context.Request.Cookies.TryGetValue(CookieName, out var cookie) ? cookie : null;
        if (presented is not null && Matches(presented))
        {
            await next(context);
            return;
        }
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer realm=\"merfactory-dashboard\"";
        await context.Response.WriteAsync("This dashboard needs its access token: open the URL printed at start (…/?token=…).");
    }

    private static bool IsHealthProbe(PathString path) =>
        path.Equals("/health", StringComparison.OrdinalIgnoreCase) || path.Equals("/alive", StringComparison.OrdinalIgnoreCase);

    private bool Matches(string presented) => CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _token);

    public static string NewToken() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
}
