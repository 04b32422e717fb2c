using System.Globalization;
using OpenCxo.Core.Campaigns;

namespace OpenCxo.App.Tests.Cli;

/// <summary><c>cxo campaign …</c> from a segment to a launched campaign, its plan, results and treated export; bad input named.</summary>
public sealed class CampaignCliTests : IDisposable
{
    private readonly CliSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task A_campaign_is_set_planned_launched_measured_and_exported_without_its_control_group()
    {
        var now = DateTime.UtcNow.AddDays(-1).ToString("O", CultureInfo.InvariantCulture);
        _sandbox.WriteFile("events.jsonl", [.. Enumerable.Range(0, 120).Select(i =>
            $$"""{"id":"c{{i}}","customer":{"email":"c{{i}}@example.com"},"occurredAt":"{{now}}","department":"service","channel":"phone","type":"call.completed"}""")]);
        (await _sandbox.RunAsync("import", "events", "events.jsonl")).ShouldExit(0);
        _sandbox.WriteFile("segment.json", """{"key":"callers","name":"Callers","conditions":[{"kind":"touchpoints","department":"service"}]}""");
        (await _sandbox.RunAsync("segment", "set", "--file", "segment.json")).ShouldExit(0);
        _sandbox.WriteFile("campaign.json", """{"key":"thanks","name":"Thank you","segment":"callers","controlShare":0.25,"weeks":6}""");
        (await _sandbox.RunAsync("campaign", "set", "--file", "campaign.json")).ShouldExit(0);

        var plan = (await _sandbox.RunAsync("campaign", "plan", "thanks")).ShouldExit(0).Stdout;
        Assert.Contains("audience 120", plan, StringComparison.Ordinal);
        Assert.Contains("* control 25 %: 90 treated, 30 control", plan, StringComparison.Ordinal);

        var launched = (await _sandbox.RunAsync("campaign", "launch", "thanks")).ShouldExit(0).Stdout;
        Assert.Contains("thanks launched", launched, StringComparison.Ordinal);
        (await _sandbox.RunAsync("campaign", "launch", "thanks")).ShouldExit(2);

        var results = (await _sandbox.RunAsync("campaign", "results", "thanks", "--json")).ShouldExit(0).Json();
        var week = results.GetProperty("byWeek")[0];
        var (treated, control) = (week.GetProperty("treated").GetInt64(), week.GetProperty("control").GetInt64());
        Assert.Equal(120, treated + control);

        // The export is the treated group: each line's customer is one the seed does not hold out.
        (await _sandbox.RunAsync("campaign", "export", "thanks", "--out", "treated.csv")).ShouldExit(0);
        var lines = (await File.ReadAllLinesAsync(_sandbox.PathOf("treated.csv"))).Skip(1).ToList();
        Assert.Equal(treated, lines.Count);
        var show = (await _sandbox.RunAsync("campaign", "show", "thanks")).ShouldExit(0).Json();
        Assert.Equal("running", show.GetProperty("status").GetString());
        await using (var db = _sandbox.Factory.CreateDbContext())
        {
            var seed = db.Campaigns.Single().Seed!;
            Assert.All(lines, l => Assert.False(CampaignDesign.IsControl(seed, long.Parse(l.Split(',')[0], CultureInfo.InvariantCulture), 0.25)));
        }

        (await _sandbox.RunAsync("campaign", "delete", "thanks")).ShouldExit(1);
        (await _sandbox.RunAsync("campaign", "end", "thanks")).ShouldExit(0);
        (await _sandbox.RunAsync("campaign", "delete", "thanks")).ShouldExit(0);
    }

    [Fact]
    public async Task A_bad_campaign_file_is_refused_naming_each_field()
    {
        _sandbox.WriteFile("events.jsonl", SampleEvents.Lines[0]);
        (await _sandbox.RunAsync("import", "events", "events.jsonl")).ShouldExit(0);
        _sandbox.WriteFile("segment.json", """{"key":"callers","name":"Callers","conditions":[]}""");
        (await _sandbox.RunAsync("segment", "set", "--file", "segment.json")).ShouldExit(0);
        _sandbox.WriteFile("bad.json", """{"key":"Bad Key","name":"","segment":"nope","controlShare":2,"weeks":0}""");
        var refused = (await _sandbox.RunAsync("campaign", "set", "--file", "bad.json")).ShouldExit(2).Stderr;
        foreach (var field in new[] { "key", "name", "segment", "controlShare", "weeks" })
        {
            Assert.Contains($"cxo: {field}:", refused, StringComparison.Ordinal);
        }

        (await _sandbox.RunAsync("campaign", "plan", "nope")).ShouldExit(1);
    }
}
