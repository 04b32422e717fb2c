using System.Globalization;

namespace OpenCxo.App.Tests.Cli;

/// <summary><c>cxo analytics rebuild</c>: the DuckDB store beside the SQLite file, recreated from it.</summary>
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
}
