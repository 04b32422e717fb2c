using Microsoft.EntityFrameworkCore;
using Npgsql;
using OpenCxo.Data.Storage;
using OpenCxo.Testing;

namespace OpenCxo.App.Tests.Cli;

/// <summary><c>cxo db migrate</c>, then the other verbs, on a real PostgreSQL database (bulk ingest by COPY).</summary>
public sealed class PostgresCliTests : IDisposable
{
    private readonly CliSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task Db_migrate_creates_the_schema_then_import_and_customer_show_use_it()
    {
        var connection = await TestDatabases.NewPostgresConnectionStringAsync();
        var db = "postgres:" + connection;
        var password = new NpgsqlConnectionStringBuilder(connection).Password;

        var migrated = (await _sandbox.RunAsync("db", "migrate", "--db", db)).ShouldExit(0);

        Assert.Contains(": applied ", migrated.Stdout, StringComparison.Ordinal);
        Assert.Contains("_Initial", migrated.Stdout, StringComparison.Ordinal);
        var upToDate = (await _sandbox.RunAsync("db", "migrate", "--db", db)).ShouldExit(0);
        Assert.EndsWith(": up to date", upToDate.Stdout.Trim(), StringComparison.Ordinal);
        if (!string.IsNullOrEmpty(password))
        {
            Assert.DoesNotContain(password, migrated.Stdout + upToDate.Stdout, StringComparison.Ordinal);
        }

        _sandbox.WriteFile("events.jsonl", SampleEvents.Lines);
        var import = (await _sandbox.RunAsync("import", "events", "events.jsonl", "--json", "--db", db)).ShouldExit(0).Json();

        Assert.Equal((3L, 0L, 1L), (import.GetProperty("imported").GetInt64(), import.GetProperty("duplicates").GetInt64(), import.GetProperty("rejected").GetInt64()));
        var shown = (await _sandbox.RunAsync("customer", "show", "crm:C-1", "--json", "--db", db)).ShouldExit(0).Json();
        var profile = shown.GetProperty("profile");
        Assert.Equal(SampleEvents.AnaEmail, profile.GetProperty("emails")[0].GetString());
        Assert.Equal(2, profile.GetProperty("touchpoints").GetProperty("total").GetInt64());
        Assert.False(File.Exists(_sandbox.DatabasePath), "nothing may go to the SQLite file of OPENCXO_DB when --db names PostgreSQL");

        await using var context = new CxoDbFactory(DatabaseLocation.Parse(db)).CreateDbContext();
        Assert.Equal(["e1", "e2", "e4"], await context.Interactions.Select(x => x.EventId).OrderBy(x => x).ToListAsync());
        Assert.Equal(2, await context.Customers.CountAsync());
    }

    /// <summary>
    /// Bug: on a PostgreSQL database nobody has migrated, import (and apikey, customer show) print the server's
    /// "42P01: relation "workspaces" does not exist … POSITION: 48"; 'serve' says what to do, and they should too.
    /// </summary>
    [Fact]
    public async Task A_verb_on_an_unmigrated_postgres_database_says_to_run_db_migrate()
    {
        var db = "postgres:" + await TestDatabases.NewPostgresConnectionStringAsync();
        _sandbox.WriteFile("events.jsonl", SampleEvents.Lines);

        var result = (await _sandbox.RunAsync("import", "events", "events.jsonl", "--db", db)).ShouldExit(1);

        Assert.True(result.Stderr.Contains("cxo db migrate", StringComparison.Ordinal), result.ToString());
    }
}
