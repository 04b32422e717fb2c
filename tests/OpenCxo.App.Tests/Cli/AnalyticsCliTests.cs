using System.Globalization;

namespace OpenCxo.App.Tests.Cli;

/// <summary><c>cxo analytics rebuild</c> and <c>sync</c>: the DuckDB store beside the SQLite file, recreated from it or brought up to date.</summary>
[Collection(ImportedSandboxGroup.Name)]
public sealed class AnalyticsCliTests(ImportedSandbox imported)
{
    private readonly CliSandbox _sandbox = imported.Sandbox;

    [Fact]
    public async Task Rebuild_reports_the_imported_interactions_and_writes_the_duckdb_file_beside_the_sqlite_file()
    {
        var duckdb = _sandbox.PathOf(Path.Combine("data", "shop.duckdb"));

        var rebuilt = (await _sandbox.RunAsync("analytics", "rebuild")).ShouldExit(0);

        Assert.StartsWith(string.Create(CultureInfo.InvariantCulture, $"Rebuilt {duckdb}: {SampleEvents.Good} interactions, 0 merges in "), rebuilt.Stdout, StringComparison.Ordinal);
        using var file = File.OpenRead(duckdb);
        var header = new byte[12];
        file.ReadExactly(header);
        Assert.Equal("DUCK"u8.ToArray(), header[8..12]);
    }

    [Fact]
    public async Task Sync_copies_what_the_store_lacks_and_a_second_sync_copies_nothing()
    {
        var duckdb = _sandbox.PathOf("synced-" + Guid.NewGuid().ToString("N")[..8] + ".duckdb");

        var first = (await _sandbox.RunAsync("analytics", "sync", "--path", duckdb)).ShouldExit(0);
        var second = (await _sandbox.RunAsync("analytics", "sync", "--path", duckdb)).ShouldExit(0);

        Assert.StartsWith(string.Create(CultureInfo.InvariantCulture, $"Synced {duckdb}: {SampleEvents.Good} interactions, 0 merges in "), first.Stdout, StringComparison.Ordinal);
        Assert.StartsWith($"Synced {duckdb}: 0 interactions, 0 merges in ", second.Stdout, StringComparison.Ordinal);
    }
}
