using System.Text.Json;
using Microsoft.EntityFrameworkCore;

namespace OpenCxo.App.Tests.Cli;

/// <summary><c>cxo import events FILE</c>, and the exit codes every verb shares, as a user sees them.</summary>
public sealed class ImportEventsCliTests : IDisposable
{
    private readonly CliSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task Json_summary_counts_imported_duplicates_and_rejected_and_a_rerun_imports_nothing_twice()
    {
        var file = _sandbox.WriteFile("events.jsonl", SampleEvents.Lines);

        var first = (await _sandbox.RunAsync("import", "events", "events.jsonl", "--json")).ShouldExit(0).Json();

        Assert.Equal(["imported", "duplicates", "rejected", "seconds", "rejectedFile"], first.EnumerateObject().Select(p => p.Name));
        Assert.Equal(SampleEvents.Good, first.GetProperty("imported").GetInt64());
        Assert.Equal(0, first.GetProperty("duplicates").GetInt64());
        Assert.Equal(1, first.GetProperty("rejected").GetInt64());
        Assert.InRange(first.GetProperty("seconds").GetDouble(), 0, 60);
        var rejectedFile = file + ".rejected.jsonl";
        Assert.Equal(rejectedFile, first.GetProperty("rejectedFile").GetString());
        var rejected = File.ReadAllLines(rejectedFile).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var only = Assert.Single(rejected);
        Assert.Equal(SampleEvents.BadLineNumber, only.GetProperty("line").GetInt64());
        Assert.Equal(SampleEvents.BadLine, only.GetProperty("input").GetString());
        Assert.Equal("$", only.GetProperty("errors")[0].GetProperty("field").GetString());

        var again = (await _sandbox.RunAsync("import", "events", file, "--json")).ShouldExit(0).Json();

        Assert.Equal(0, again.GetProperty("imported").GetInt64());
        Assert.Equal(SampleEvents.Good, again.GetProperty("duplicates").GetInt64());
        Assert.Equal(1, again.GetProperty("rejected").GetInt64());
        Assert.Single(File.ReadAllLines(rejectedFile));
        await using var db = _sandbox.Factory.CreateDbContext();
        Assert.Equal(["e1", "e2", "e4"], await db.Interactions.Select(x => x.EventId).OrderBy(x => x).ToListAsync());
    }

    [Fact]
    public async Task Csv_import_stores_the_rows_and_the_db_option_wins_over_OPENCXO_DB()
    {
        _sandbox.WriteFile("events.csv",
            "id,occurredAt,department,channel,type,customer.email,customer.phone,ext.crm,value,currency,attr.ticketId,customer.attr.name",
            "c1,2026-03-01T10:00:00Z,service,chat,ticket.opened,carla@example.com,+44 20 7946 0018,C-9,,,T-1,Carla",
            "c2,2026-03-02T10:00:00Z,sales,store,order.placed,carla@example.com,,,\"1,5\",EUR,,",
            "c3,2026-03-02T11:00:00Z,sales,store,order.placed,carla@example.com,,,20.5,EUR,,");
        var ignored = _sandbox.PathOf("from-environment.db");

        var result = (await _sandbox.RunWithEnvironmentAsync(
            new Dictionary<string, string?> { ["OPENCXO_DB"] = "sqlite:" + ignored },
            "import", "events", "events.csv", "--json", "--db", _sandbox.Db)).ShouldExit(0).Json();

        Assert.Equal((2, 0, 1), (result.GetProperty("imported").GetInt64(), result.GetProperty("duplicates").GetInt64(), result.GetProperty("rejected").GetInt64()));
        var rejected = JsonDocument.Parse(File.ReadAllLines(_sandbox.PathOf("events.csv.rejected.jsonl")).Single()).RootElement;
        Assert.Equal(3, rejected.GetProperty("line").GetInt64());
        Assert.Equal("value", rejected.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.False(File.Exists(ignored), "--db must win over OPENCXO_DB");
        await using var db = _sandbox.Factory.CreateDbContext();
        var rows = await db.Interactions.OrderBy(x => x.EventId).Select(x => new { x.EventId, x.ValueE4, x.Currency }).ToListAsync();
        Assert.Equal([("c1", 0L, (string?)null), ("c3", 205_000L, "EUR")], rows.Select(r => (r.EventId, r.ValueE4, r.Currency)));
        Assert.Equal(
            ["email:carla@example.com", "ext:crm:C-9", "phone:+442079460018"],
            (await db.Identities.Select(i => i.Kind + ":" + i.Value).ToListAsync()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_missing_file_exits_1_with_a_message_naming_it()
    {
        var result = (await _sandbox.RunAsync("import", "events", "no-such-file.jsonl")).ShouldExit(1);

        Assert.Contains(_sandbox.PathOf("no-such-file.jsonl"), result.Stderr, StringComparison.Ordinal);
        Assert.Contains("no such file", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
    }

    [Theory]
    [InlineData("'frobnicate'", "frobnicate")]
    [InlineData("'file'", "import", "events")]
    [InlineData("'--scopes'", "apikey", "create", "--name", "ci")]
    [InlineData("--db must start with sqlite: or postgres:", "import", "events", "x.jsonl", "--db", "mysql:localhost")]
    [InlineData("--commit-every", "import", "events", "x.jsonl", "--commit-every", "0")]
    [InlineData("--customers", "demo", "generate", "--customers", "0", "--out", "x.jsonl")]
    public async Task Bad_usage_exits_2_and_says_what_is_wrong(string message, params string[] args)
    {
        var result = (await _sandbox.RunAsync(args)).ShouldExit(2);

        Assert.StartsWith("cxo: ", result.Stderr, StringComparison.Ordinal);
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
        Assert.False(File.Exists(_sandbox.DatabasePath), "bad usage must not create the database");
        Assert.False(File.Exists(_sandbox.PathOf("x.jsonl")), "bad usage must not write the output");
    }
}
