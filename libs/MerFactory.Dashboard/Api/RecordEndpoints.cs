using MerFactory.Dashboard.Curation;
using MerFactory.Dashboard.Data;
using MerFactory.Dashboard.Records;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace MerFactory.Dashboard.Api;

/// <summary>Listing, reading and curating records, and their media (only files of a record; never a path).</summary>
internal static class RecordEndpoints
{
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/records", async (HttpContext http, IDbContextFactory<CurationDb> dbs, int? page, int? page_size, bool? counts, CancellationToken ct) =>
        {
            await using var db = await dbs.CreateDbContextAsync(ct);
            return Results.Ok(await RecordQuery.PageAsync(db, RecordFilter.From(http.Request.Query), page ?? 1, page_size ?? 50, counts ?? true, ct));
        });

        api.MapGet("/records/{id}", async (string id, RecordDetailsReader reader, CancellationToken ct) =>
            await reader.ReadAsync(id, ct) is { } details ? Results.Ok(details) : Results.NotFound());

        // Previous/next in the filtered list, so keyboard review walks across pages (indexed look-ups, not a scan of ids).
        api.MapGet("/records/{id}/neighbors", async (string id, HttpContext http, IDbContextFactory<CurationDb> dbs, CancellationToken ct) =>
        {
            await using var db = await dbs.CreateDbContextAsync(ct);
            return Results.Ok(await RecordQuery.NeighborsAsync(db, RecordFilter.From(http.Request.Query), id, ct));
        });

        api.MapPut("/records/{id}/fields/{field}", (string id, string field, ValueBody<string> body, HttpContext http, CurationService curation, IOptions<DashboardOptions> options, CancellationToken ct) =>
            ApiResults.Guard(async () =>
            {
                if (body.Value is null) throw new CurationException("value is required");
                return Results.Ok(await curation.EditAsync(id, field, body.Value, ApiResults.Author(http, body.Author, options.Value), ct));
            }));

        api.MapPost("/records/{id}/revisions/{revision:long}/revert", (string id, long revision, HttpContext http, CurationService curation, IOptions<DashboardOptions> options, CancellationToken ct) =>
            ApiResults.Guard(async () => Results.Ok(await curation.RevertAsync(id, revision, ApiResults.Author(http, null, options.Value), ct))));

        api.MapPut("/records/{id}/rating", (string id, ValueBody<int?> body, CurationService curation, CancellationToken ct) =>
            ApiResults.Guard(async () =>
            {
                await curation.SetRatingAsync(id, body.Value, ct);
                return Results.NoContent();
            }));

        api.MapPut("/records/{id}/state", (string id, ValueBody<string> body, CurationService curation, CancellationToken ct) =>
            ApiResults.Guard(async () =>
            {
                await curation.SetStateAsync(id, body.Value ?? "", ct);
                return Results.NoContent();
            }));

        api.MapGet("/records/{id}/history", (string id, CurationService curation, CancellationToken ct) =>
            ApiResults.Guard(async () => Results.Ok(await curation.HistoryAsync(id, ct))));

        // A file of the record folder, by its exact name in the folder listing: "../x", "/etc/passwd" or a name
        // that is not in the listing is simply not found.
        api.MapGet("/records/{id}/files/{**name}", async (string id, string name, IRecordFiles files, CancellationToken ct) =>
        {
            var listed = (await files.ListFilesAsync(id, ct)).Any(f => f.Name == name);
            if (!listed) return Results.NotFound();
            var contentType = ContentTypes.TryGetContentType(name, out var type) ? type : "application/octet-stream";
            if (files.LocalPath(id, name) is { } path) return Results.File(path, contentType, enableRangeProcessing: true);
            return await files.OpenAsync(id, name, ct) is { } stream ? Results.Stream(stream, contentType) : Results.NotFound();
        });

        // The clip the record was made from: its source_path on this machine (a folder dataset), or the upload its media
        // sidecar names (a dataset in the object store). Nothing else, whatever the request says.
        api.MapGet("/records/{id}/source", async (string id, IRecordFiles files, HttpContext context, CancellationToken ct) =>
        {
            if (await RecordReader.ReadAsync(files, id, ct) is not { } snapshot || await files.FindSourceAsync(snapshot, ct) is not { } clip
                || await files.OpenSourceAsync(clip, ct) is not { } source) return Results.NotFound();
            // The clip stays open (and a cached copy leased) until the response has been sent.
            context.Response.RegisterForDispose(source);
            var contentType = ContentTypes.TryGetContentType(clip.Name, out var type) ? type : "application/octet-stream";
            return Results.Stream(source.Stream, contentType, enableRangeProcessing: true);
        });

        api.MapPost("/reindex", async (RecordIndexer indexer, CancellationToken ct) => Results.Ok(new { changed = await indexer.SyncAsync(ct) }));
    }
}
