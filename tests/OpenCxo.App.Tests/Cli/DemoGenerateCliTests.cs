using System.Globalization;
using Microsoft.EntityFrameworkCore;

namespace OpenCxo.App.Tests.Cli;

/// <summary><c>cxo demo generate --out FILE</c>: the same seed writes the same file, and the file imports cleanly.</summary>
public sealed class DemoGenerateCliTests : IDisposable
{
    private readonly CliSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task The_same_seed_writes_the_same_file_another_seed_another_and_it_imports_without_rejections()
    {
        var runs = await Task.WhenAll(
            _sandbox.RunAsync("demo", "generate", "--customers", "50", "--seed", "3", "--out", "a.jsonl"),
            _sandbox.RunAsync("demo", "generate", "--customers", "50", "--seed", "3", "--out", "b.jsonl"),
            _sandbox.RunAsync("demo", "generate", "--customers", "50", "--seed", "4", "--out", "c.jsonl"));
        Assert.All(runs, r => r.ShouldExit(0));
        Assert.False(File.Exists(_sandbox.DatabasePath), "--out writes a file instead of loading the database");

        var a = File.ReadAllBytes(_sandbox.PathOf("a.jsonl"));
        var lines = File.ReadAllLines(_sandbox.PathOf("a.jsonl"));
        Assert.InRange(lines.Length, 50 * 20, 50 * 80);
        Assert.Equal($"Wrote {lines.Length.ToString("N0", CultureInfo.InvariantCulture)} events to {_sandbox.PathOf("a.jsonl")}", runs[0].Stdout.Trim());
        Assert.Equal(a, File.ReadAllBytes(_sandbox.PathOf("b.jsonl")));
        Assert.NotEqual(a, File.ReadAllBytes(_sandbox.PathOf("c.jsonl")));

        var import = (await _sandbox.RunAsync("import", "events", "a.jsonl", "--json")).ShouldExit(0).Json();

        Assert.Equal(lines.Length, import.GetProperty("imported").GetInt64());
        Assert.Equal(0, import.GetProperty("duplicates").GetInt64());
        Assert.Equal(0, import.GetProperty("rejected").GetInt64());
        Assert.False(import.TryGetProperty("rejectedFile", out _));
        Assert.False(File.Exists(_sandbox.PathOf("a.jsonl.rejected.jsonl")));
        await using var db = _sandbox.Factory.CreateDbContext();
        Assert.Equal(lines.Length, await db.Interactions.CountAsync());
        // The demo's duplicate profiles resolve back to its 50 customers.
        Assert.Equal(50, await db.Customers.CountAsync(c => c.MergedInto == null));
    }
}
