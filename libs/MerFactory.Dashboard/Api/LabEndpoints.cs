using System.Text.Json;
using MerFactory.Dashboard.Curation;
using MerFactory.Dashboard.Data;
using MerFactory.Dashboard.Export;
using MerFactory.Dashboard.Preferences;
using MerFactory.Dashboard.Prompts;
using MerFactory.Dashboard.Records;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace MerFactory.Dashboard.Api;

public sealed record PreferenceBody(string RecordId, string Field, string Chosen, string Rejected, string? Author = null);

public sealed record PromptBody(string Json, string? Note = null, string? Author = null);

public sealed record PromptTryBody(string RecordId, string Key, string Template);

/// <summary>Pairwise preferences, the prompt lab and the curated export.</summary>
internal static class LabEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        // The runs attached beside the dataset (fixed at start; there is no way to attach a path through the API).
        api.MapGet("/comparisons", (ComparisonRuns runs, IRecordFiles files) => Results.Ok(runs.Describe(files)));

        api.MapGet("/records/{id}/candidates", (string id, string field, PreferenceService preferences, CancellationToken ct) =>
            ApiResults.Guard(async () => Results.Ok(await preferences.CandidatesAsync(id, field, ct))));

        api.MapPost("/preferences", (PreferenceBody body, HttpContext http, PreferenceService preferences, IOptions<DashboardOptions> options, CancellationToken ct) =>
            ApiResults.Guard(async () => Results.Ok(await preferences.AddAsync(body.RecordId, body.Field, body.Chosen, body.Rejected, ApiResults.Author(http, body.Author, options.Value), ct))));

        api.MapGet("/preferences/ranking", async (PreferenceService preferences, CancellationToken ct) => Results.Ok(await preferences.RankAsync(ct)));

        api.MapGet("/preferences/export", async (PreferenceService preferences, CancellationToken ct) =>
        {
            var pairs = PairwiseExport.Build(await preferences.AllAsync(ct));
            return Results.Text(pairs.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), "application/json");
        });

        api.MapGet("/prompts", async (PromptLab lab, CancellationToken ct) => Results.Ok(await lab.VersionsAsync(ct)));

        api.MapGet("/prompts/diff", (int from, int to, PromptLab lab, CancellationToken ct) =>
            ApiResults.Guard(async () => Results.Text(await lab.DiffAsync(from, to, ct))));

        api.MapGet("/prompts/{version:int}", async (int version, PromptLab lab, CancellationToken ct) =>
            await lab.GetAsync(version, ct) is { } v ? Results.Text(v.Json, "application/json") : Results.NotFound());

        api.MapPost("/prompts", (PromptBody body, HttpContext http, PromptLab lab, IOptions<DashboardOptions> options, CancellationToken ct) =>
            ApiResults.Guard(async () =>
            {
                var saved = await lab.SaveAsync(body.Json ?? "", ApiResults.Author(http, body.Author, options.Value), body.Note ?? "", ct);
                return Results.Ok(new PromptVersionInfo(saved.Version, saved.Author, saved.Note, saved.At));
            }));

        api.MapPost("/prompts/try", (PromptTryBody body, PromptLab lab, CancellationToken ct) =>
            ApiResults.Guard(async () => Results.Ok(await lab.TryAsync(body.RecordId, body.Key, body.Template ?? "", ct))));

        api.MapGet("/export", (HttpContext http, string? format, CuratedExport export, CancellationToken ct) =>
            ApiResults.Guard(async () =>
            {
                var filter = RecordFilter.From(http.Request.Query);
                var (zip, result) = await export.RunAsync(filter, format ?? "csv", ct);
                http.Response.Headers["X-Records-Exported"] = result.RecordsExported.ToString(System.Globalization.CultureInfo.InvariantCulture);
                http.Response.RegisterForDispose(new DeleteOnDispose(zip));
                return Results.File(zip, "application/zip", $"merfactory-curated-{filter.Type ?? "mer"}-{format ?? "csv"}.zip");
            }));
    }

    /// <summary>Removes the temporary zip once the response has been sent.</summary>
    private sealed class DeleteOnDispose(string path) : IDisposable
    {
        public void Dispose() => File.Delete(path);
    }
}
