using MerFactory.Dashboard.Curation;
using Microsoft.AspNetCore.Http;

namespace MerFactory.Dashboard.Api;

/// <summary>Request bodies of the API (snake_case on the wire).</summary>
public sealed record ValueBody<T>(T Value, string? Author = null);

internal static class ApiResults
{
    /// <summary>Runs <paramref name="action"/>, turning a refused request into 400/404 with its reason.</summary>
    public static async Task<IResult> Guard(Func<Task<IResult>> action)
    {
        try
        {
            return await action();
        }
        catch (CurationException e)
        {
            return e.NotFound ? Results.NotFound(new { error = e.Message }) : Results.BadRequest(new { error = e.Message });
        }
    }

    public static string Author(HttpContext context, string? fromBody, DashboardOptions options)
    {
        var author = fromBody ?? context.Request.Headers["X-Author"].ToString();
        author = author.Trim();
        return author.Length is > 0 and <= 100 ? author : options.DefaultAuthor;
    }
}
