namespace OpenCxo.App.Tests.Cli;

/// <summary>Issue 10: <c>cxo initiative</c> keeps the portfolio, names a refused field, and finds the conflict the API finds.</summary>
public sealed class InitiativeCliTests : IDisposable
{
    private readonly CliSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task Initiatives_are_set_listed_checked_for_conflicts_and_deleted()
    {
        // A key of the default workspace brings the workspace into being.
        (await _sandbox.RunAsync("apikey", "create", "--name", "setup", "--scopes", "stats:read")).ShouldExit(0);
        _sandbox.WriteFile("aht.json", """{"key":"aht","name":"Handle time","metric":"average_handle_time","target":{"value":300},"owner":"service"}""");
        _sandbox.WriteFile("fcr.json", """{"key":"fcr","name":"Resolution","metric":"first_contact_resolution","target":{"value":70},"owner":"service"}""");
        (await _sandbox.RunAsync("kpi", "set", "--file", "aht.json")).ShouldExit(0);
        (await _sandbox.RunAsync("kpi", "set", "--file", "fcr.json")).ShouldExit(0);

        _sandbox.WriteFile("short.json", """{"key":"short-calls","name":"Shorter calls","ownerDepartment":"service","status":"active","start":"2026-01-01","kpis":[{"kpi":"aht","direction":"down"}]}""");
        _sandbox.WriteFile("fix.json", """{"key":"fix-first","name":"Fix it first time","ownerDepartment":"product","start":"2026-03-01","end":"2026-09-30","kpis":[{"kpi":"fcr","direction":"up"}]}""");
        _sandbox.WriteFile("bad.json", """{"key":"bad","name":"Bad","ownerDepartment":"product","start":"2026-03-01","kpis":[{"kpi":"nps","direction":"up"}]}""");
        (await _sandbox.RunAsync("initiative", "set", "--file", "short.json")).ShouldExit(0);
        (await _sandbox.RunAsync("initiative", "set", "--file", "fix.json")).ShouldExit(0);
        var bad = (await _sandbox.RunAsync("initiative", "set", "--file", "bad.json")).ShouldExit(2);
        Assert.Contains("kpis[0].kpi: 'nps' is not a KPI of the workspace", bad.Stderr, StringComparison.Ordinal);

        var list = (await _sandbox.RunAsync("initiative", "list")).ShouldExit(0).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, list.Length);
        Assert.Contains(list, l => l.StartsWith("short-calls", StringComparison.Ordinal) && l.Contains("2026-01-01 → ongoing", StringComparison.Ordinal) && l.EndsWith("[conflict]", StringComparison.Ordinal));

        var findings = (await _sandbox.RunAsync("initiative", "findings", "--json")).ShouldExit(0).Json();
        var conflict = Assert.Single(findings.GetProperty("conflicts").EnumerateArray());
        Assert.Equal("aht-fcr", conflict.GetProperty("tension").GetString());
        Assert.Equal(("2026-03-01", "2026-09-30"), (conflict.GetProperty("overlap").GetProperty("from").GetString(), conflict.GetProperty("overlap").GetProperty("to").GetString()));
        Assert.Empty(findings.GetProperty("duplicates").EnumerateArray());

        // No snapshots yet: no number, and the caveats say why.
        var impact = (await _sandbox.RunAsync("initiative", "impact", "short-calls")).ShouldExit(0).Stdout;
        Assert.Contains("not a controlled experiment", impact, StringComparison.Ordinal);
        Assert.Contains("at least 3 on each side", impact, StringComparison.Ordinal);

        (await _sandbox.RunAsync("initiative", "delete", "fix-first")).ShouldExit(0);
        Assert.Contains("no duplicated efforts or conflicts", (await _sandbox.RunAsync("initiative", "findings")).ShouldExit(0).Stdout, StringComparison.Ordinal);
        (await _sandbox.RunAsync("initiative", "delete", "fix-first")).ShouldExit(1);
        (await _sandbox.RunAsync("initiative", "show", "fix-first")).ShouldExit(1);
    }
}
