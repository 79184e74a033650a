using Aspire.Hosting.Testing;
using Npgsql;

namespace MerFactory.AppHost.Tests;

/// <summary>The AppHost's PostgreSQL (Debian's postgres as an executable here): it answers on the connection string services get, and only with the password.</summary>
[Collection(AppHostCollection.Name)]
public sealed class DatabaseTests(AppHostFixture fixture)
{
    [Fact]
    public async Task TheDatabaseServicesAreGivenStoresAndReturnsRowsAndRefusesAWrongPassword()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var connectionString = await fixture.App.GetConnectionStringAsync("jobsdb", cts.Token);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        Assert.Equal("127.0.0.1", builder.Host);
        Assert.Equal(fixture.DatabasePassword, builder.Password);
        Assert.Equal("jobsdb", builder.Database);

        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync(cts.Token);
            var table = "t" + Guid.NewGuid().ToString("N");
            await using (var create = new NpgsqlCommand($"CREATE TABLE {table} (id int primary key, name text); INSERT INTO {table} VALUES (1, 'alpha'), (2, 'beta')", connection))
                await create.ExecuteNonQueryAsync(cts.Token);
            await using var select = new NpgsqlCommand($"SELECT string_agg(name, ',' ORDER BY id) FROM {table}", connection);
            Assert.Equal("alpha,beta", await select.ExecuteScalarAsync(cts.Token));
        }

        builder.Password = "not-the-password";
        await using var intruder = new NpgsqlConnection(builder.ConnectionString);
        var refused = await Assert.ThrowsAsync<PostgresException>(() => intruder.OpenAsync(cts.Token));
        Assert.Equal(PostgresErrorCodes.InvalidPassword, refused.SqlState);
    }
}
