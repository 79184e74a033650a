using System.Text.Json;
using MerFactory.Dashboard.Data;
using MerFactory.Dashboard.Runs;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace MerFactory.Dashboard.Api;

/// <summary>The run builder form as posted (antiforgery-checked: it is an HTML form).</summary>
public sealed class RunForm
{
    public string Input { get; set; } = "";
    // Nullable: a field the form leaves out takes the process command's default, not zero.
    public string? Type { get; set; }
    public string? Task { get; set; }
    public double? Threshold { get; set; }
    public int? PeakDistance { get; set; }
    public int? Concurrency { get; set; }
    public bool? Cache { get; set; }
    public bool? UseGateAgent { get; set; }
    public int? PromptsVersion { get; set; }
    /// <summary>When set, the form is also saved under this name.</summary>
    public string? SaveAs { get; set; }

    public RunRequest ToRequest()
    {
        var defaults = new RunRequest();
        return new()
        {
            Input = Input, Type = Type ?? defaults.Type, Task = Task ?? defaults.Task, Threshold = Threshold ?? defaults.Threshold,
            PeakDistance = PeakDistance ?? defaults.PeakDistance, Concurrency = Concurrency ?? defaults.Concurrency,
            Cache = Cache ?? false, UseGateAgent = UseGateAgent ?? false, PromptsVersion = PromptsVersion,
        };
    }
}

/// <summary>The run builder: start a job, watch it, save and load run configurations.</summary>
internal static class RunEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/antiforgery", (HttpContext http, IAntiforgery antiforgery) =>
        {
            var tokens = antiforgery.GetAndStoreTokens(http);
            return Results.Ok(new { field = tokens.FormFieldName, token = tokens.RequestToken });
        });

        api.MapGet("/runs/mode", (RunTracker runs) => Results.Ok(new { mode = runs.Mode }));

        api.MapPost("/runs", ([FromForm] RunForm form, RunTracker runs, IDbContextFactory<CurationDb> dbs, TimeProvider clock, CancellationToken ct) =>
            ApiResults.Guard(async () =>
            {
                var request = form.ToRequest();
                if (form.SaveAs is { Length: > 0 } name) await SaveConfigAsync(dbs, name, request, clock, ct);
                var status = await runs.StartAsync(request, ct);
                return Results.Accepted($"/api/runs/{status.Id}", status);
            }));

        api.MapGet("/runs/{id}", (string id, RunTracker runs) => runs.Get(id) is { } status ? Results.Ok(status) : Results.NotFound());

        api.MapGet("/run-configs", async (IDbContextFactory<CurationDb> dbs, CancellationToken ct) =>
        {
            await using var db = await dbs.CreateDbContextAsync(ct);
            var configs = await db.RunConfigs.AsNoTracking().OrderBy(c => c.Name).ToListAsync(ct);
            return Results.Ok(configs.Select(c => new { c.Name, c.At, Config = JsonSerializer.Deserialize<RunRequest>(c.Json) }));
        });
    }

    private static async Task SaveConfigAsync(IDbContextFactory<CurationDb> dbs, string name, RunRequest request, TimeProvider clock, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var config = await db.RunConfigs.FindAsync([name], ct);
        if (config is null) db.RunConfigs.Add(config = new RunConfig { Name = name });
        config.Json = JsonSerializer.Serialize(request);
        config.At = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
    }
}
