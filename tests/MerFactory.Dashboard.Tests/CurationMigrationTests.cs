using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MerFactory.Dashboard.Data;
using MerFactory.Dashboard.Records;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace MerFactory.Dashboard.Tests;

/// <summary>
/// The curation database is migrated at start: one made by an earlier version (EnsureCreated, no migration history; with
/// or without the facets index) gains the index and the history, and keeps its ratings, edits and revisions.
/// </summary>
public sealed class CurationMigrationTests : IDisposable
{
    private readonly DatasetFolder _data = new(3);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _data.Dispose();
    }

    private string DatabasePath => Path.Combine(_data.Output, ".merfactory", "curation.db");

    [Theory]
    [InlineData(false)] // the first release: no IX_Records_Facets
    [InlineData(true)]  // a later one that added the index to the model, still without migrations
    public async Task ADatabaseOfAnEarlierVersionIsUpgradedKeepingItsCuration(bool hadFacetsIndex)
    {
        var id = _data.Specs[0].Id;
        await using (var server = await new DashboardServer(_data.Output).StartAsync())
        {
            Assert.Equal(HttpStatusCode.NoContent, (await server.Http.PutAsJsonAsync($"/api/records/{id}/rating", new { value = 4 })).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await server.Http.PutAsJsonAsync($"/api/records/{id}/fields/final_summary", new { value = "Kept across the upgrade." })).StatusCode);
        }

        // Turn it into what the earlier version left: the same tables (as EnsureCreated makes them), no history.
        SqliteConnection.ClearAllPools();
        await ExecuteAsync(DatabasePath, """DROP TABLE "__EFMigrationsHistory"; DROP TABLE IF EXISTS "__EFMigrationsLock";""");
        if (!hadFacetsIndex) await ExecuteAsync(DatabasePath, """DROP INDEX "IX_Records_Facets";""");
        Assert.Equal(await EnsureCreatedSchemaAsync(hadFacetsIndex), await SchemaAsync(DatabasePath));

        await using (var server = await new DashboardServer(_data.Output).StartAsync())
        {
            var details = await server.GetAsync<RecordDetails>($"/api/records/{id}");
            Assert.Equal((4, "human-edited"), (details.Rating, details.Tier));
            Assert.Equal("Kept across the upgrade.", details.Fields.Single(f => f.Key == "final_summary").Value);
            var history = await server.GetAsync<JsonArray>($"/api/records/{id}/history");
            Assert.Equal("Kept across the upgrade.", Assert.Single(history)!["new_value"]!.GetValue<string>());
            // The facet counts still answer (over the index now).
            Assert.Equal(3, (await server.GetAsync<JsonObject>("/api/records"))["total"]!.GetValue<int>());
        }
        SqliteConnection.ClearAllPools();
        // Now exactly the current model's schema, the facets index included.
        Assert.Equal(await EnsureCreatedSchemaAsync(withFacetsIndex: true), await SchemaAsync(DatabasePath));
        Assert.Contains(await SchemaAsync(DatabasePath), s => s.StartsWith("index IX_Records_Facets: ", StringComparison.Ordinal));
        Assert.Equal(["20261202050608_InitialCuration", "20261202050702_RecordFacetsIndex"],
            await QueryAsync(DatabasePath, """SELECT "MigrationId" FROM "__EFMigrationsHistory" ORDER BY 1"""));
    }

    [Fact]
    public async Task ANewDatabaseIsMadeByTheMigrationsWithTheSameSchemaAsTheModel()
    {
        await using (await new DashboardServer(_data.Output).StartAsync()) { }
        SqliteConnection.ClearAllPools();
        Assert.Equal(await EnsureCreatedSchemaAsync(withFacetsIndex: true), await SchemaAsync(DatabasePath));
    }

    /// <summary>The tables and indexes EnsureCreated makes from the model (how earlier versions made the database).</summary>
    private async Task<List<string>> EnsureCreatedSchemaAsync(bool withFacetsIndex)
    {
        var path = Path.Combine(_data.Root, $"ensure-created-{Guid.NewGuid():N}.db");
        var builder = new DbContextOptionsBuilder<SqliteCurationDb>();
        SqliteCurationDb.Configure(builder, path);
        await using (var db = new SqliteCurationDb(builder.Options))
        {
            await db.GetService<IRelationalDatabaseCreator>().CreateAsync();
            await db.GetService<IRelationalDatabaseCreator>().CreateTablesAsync();
        }
        SqliteConnection.ClearAllPools();
        if (!withFacetsIndex) await ExecuteAsync(path, """DROP INDEX "IX_Records_Facets";""");
        return await SchemaAsync(path);
    }

    private static Task<List<string>> SchemaAsync(string path) =>
        QueryAsync(path, "SELECT type || ' ' || name || ': ' || sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE '__EF%' AND name NOT LIKE 'sqlite%' ORDER BY type, name");

    private static async Task<List<string>> QueryAsync(string path, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        await using var command = new SqliteCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync()) rows.Add(reader.GetString(0));
        return rows;
    }

    private static async Task ExecuteAsync(string path, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        await using var command = new SqliteCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
