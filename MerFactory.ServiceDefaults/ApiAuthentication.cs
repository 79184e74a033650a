using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The credentials a service accepts (<c>Auth:Tokens:{name}</c> = token): a caller sends <c>Authorization: Bearer TOKEN</c>
/// and acts as <c>name</c>, which also names what it owns (its uploads, jobs, outputs and exports). The AppHost hands
/// the tokens over as secret parameters. A service with no token configured refuses every call but health probes.
/// </summary>
public sealed class ApiTokenOptions : AuthenticationSchemeOptions
{
    public const string Scheme = "ApiToken";
    public const string Section = "Auth";

    public Dictionary<string, string> Tokens { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>Authenticates a bearer token against <see cref="ApiTokenOptions.Tokens"/>; the credential's name becomes the user name.</summary>
public sealed class ApiTokenHandler(IOptionsMonitor<ApiTokenOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<ApiTokenOptions>(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return Task.FromResult(AuthenticateResult.NoResult());
        var presented = Hash(header["Bearer ".Length..].Trim());
        foreach (var (name, token) in Options.Tokens)
        {
            // Compared as hashes in constant time: neither the length nor the content of a token leaks through timing.
            if (string.IsNullOrEmpty(token) || !CryptographicOperations.FixedTimeEquals(presented, Hash(token))) continue;
            var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, name)], ApiTokenOptions.Scheme);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), ApiTokenOptions.Scheme)));
        }
        return Task.FromResult(AuthenticateResult.Fail("unknown token"));
    }

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}

public static class ApiAuthenticationExtensions
{
    /// <summary>
    /// Every endpoint (gRPC and HTTP) requires a token unless it opts out (<c>AllowAnonymous</c>, as health probes do):
    /// the fallback policy makes a forgotten endpoint closed, not open.
    /// </summary>
    public static TBuilder AddApiAuthentication<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddAuthentication(ApiTokenOptions.Scheme)
            .AddScheme<ApiTokenOptions, ApiTokenHandler>(ApiTokenOptions.Scheme, o => builder.Configuration.GetSection(ApiTokenOptions.Section).Bind(o));
        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder(ApiTokenOptions.Scheme).RequireAuthenticatedUser().Build());
        return builder;
    }

    /// <summary>The credential's name (what it owns is kept under it); only authenticated calls reach the services.</summary>
    public static string CredentialName(this ClaimsPrincipal user) =>
        user.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name } ? name : throw new InvalidOperationException("the call is not authenticated");
}
