using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpenCxo.App.Feedback;
using OpenCxo.App.Security;

namespace OpenCxo.App.Tests.Cli;

/// <summary>
/// Issue 4: <c>cxo import responses FILE.csv</c>, with the same error handling, idempotency and summary as event import,
/// and <c>cxo metrics</c> over what was imported.
/// </summary>
public sealed class ImportResponsesCliTests : IDisposable
{
    private const string Header = "id,answeredAt,survey,email,ext.crm,nps,what_went_wrong,liked,channel,triggerEventId";

    private readonly CliSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    private async Task PublishAsync(string key)
    {
        await _sandbox.Factory.MigrateAsync();
        await using var db = _sandbox.Factory.CreateDbContext();
        var workspace = await Workspaces.GetOrCreateAsync(db, Workspaces.DefaultSlug, DateTime.UtcNow);
        var definition = JsonDocument.Parse("""
            {"title":{"en":"After your visit","es":"Tras su visita"},
             "questions":[
               {"key":"nps","kind":"nps","prompt":{"en":"Recommend us?","es":"¿Nos recomendaría?"},"required":true},
               {"key":"what_went_wrong","kind":"text","prompt":{"en":"What went wrong?","es":"¿Qué salió mal?"},"showIf":{"question":"nps","atMost":6}},
               {"key":"liked","kind":"multipleChoice","prompt":{"en":"Liked?","es":"¿Qué le gustó?"},
                "options":[{"key":"speed","label":{"en":"Speed","es":"Rapidez"}},{"key":"staff","label":{"en":"Staff","es":"Personal"}}]}]}
            """).RootElement;
        Assert.NotNull((await Surveys.CreateAsync(db, workspace.Id, key, definition, DateTime.UtcNow, default)).Survey);
        Assert.NotNull((await Surveys.PublishAsync(db, workspace.Id, key, DateTime.UtcNow, default)).Survey);
    }

    [Fact]
    public async Task Good_rows_are_imported_bad_ones_named_by_line_and_column_and_a_rerun_imports_nothing_twice()
    {
        await PublishAsync("visit");
        var file = _sandbox.WriteFile("responses.csv",
            Header,
            "r1,2026-03-01T10:00:00Z,visit,ana@example.com,,9,,staff|speed,store,",
            "r2,2026-03-01T11:00:00+01:00,visit,,C-7,3,\"Waited, then \"\"lost\"\"\nmy order\",,,",
            "r3,yesterday,visit,bea@example.com,,5,,,,",
            "r4,2026-03-02T10:00:00Z,nope,bea@example.com,,5,,,,",
            "r5,2026-03-02T10:00:00Z,visit,bea@example.com,,11,,fax,,",
            "r6,2026-03-02T10:00:00Z,visit,,,7,,,,",
            "r1,2026-03-05T10:00:00Z,visit,ana@example.com,,0,,,,",
            "r7,2026-03-02T10:00:00Z,visit,not-an-email,,8,,,,",
            "r8,2026-03-02T10:00:00Z,visit,bea@example.com,,,,,,",
            "r9,2026-03-02T10:00:00Z,visit,bea@example.com,,10,too short,,fax-machine,",
            "",
            "r10,2026-03-03T10:00:00Z,visit,ana@example.com,,10,never mind,,,");

        var first = (await _sandbox.RunAsync("import", "responses", "responses.csv", "--json")).ShouldExit(0).Json();

        Assert.Equal(["imported", "duplicates", "rejected", "seconds", "rejectedFile"], first.EnumerateObject().Select(p => p.Name));
        Assert.Equal((3, 1, 7), (first.GetProperty("imported").GetInt64(), first.GetProperty("duplicates").GetInt64(), first.GetProperty("rejected").GetInt64()));
        var rejected = File.ReadAllLines(file + ".rejected.jsonl").Select(l => JsonDocument.Parse(l).RootElement)
            .ToDictionary(r => r.GetProperty("line").GetInt64(), r => string.Join(",", r.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString())));
        Assert.Equal(new Dictionary<long, string>
        {
            [5] = "answeredAt",
            [6] = "survey",
            [7] = "nps,liked",
            [8] = "email, phone or ext.SYSTEM",
            [10] = "email",
            [11] = "$",
            [12] = "channel",
        }, rejected);

        await using (var db = _sandbox.Factory.CreateDbContext())
        {
            var responses = await db.SurveyResponses.OrderBy(r => r.ResponseKey).ToListAsync();
            Assert.Equal(["import:r1", "import:r10", "import:r2"], responses.Select(r => r.ResponseKey));
            Assert.Equal([9, 10, 3], responses.Select(r => r.Nps));
            Assert.All(responses, r => Assert.True(r.Final && r.CustomerId is not null && r.EventId is not null));

            // r10's text answers a question its score does not ask: dropped, as on the page.
            Assert.DoesNotContain("never mind", responses[1].AnswersJson, StringComparison.Ordinal);
            var touchpoints = await db.Interactions.Where(i => i.Type == "survey.response").OrderBy(i => i.EventId).ToListAsync();
            Assert.Equal(3, touchpoints.Count);
            var r1 = touchpoints.Single(t => t.EventId == "survey-response:import:r1");
            Assert.Equal(("store", "other"), (r1.Channel, r1.Department));
            Assert.Contains("\"liked\":\"speed,staff\"", r1.Attributes, StringComparison.Ordinal);
            var r2 = touchpoints.Single(t => t.EventId == "survey-response:import:r2");
            Assert.Equal("Waited, then \"lost\"\nmy order", r2.Text);
            Assert.Equal(new DateTime(2026, 3, 1, 10, 0, 0, DateTimeKind.Utc), r2.OccurredAt);
        }

        var again = (await _sandbox.RunAsync("import", "responses", file, "--json")).ShouldExit(0).Json();
        Assert.Equal((0, 4, 7), (again.GetProperty("imported").GetInt64(), again.GetProperty("duplicates").GetInt64(), again.GetProperty("rejected").GetInt64()));
        await using (var db = _sandbox.Factory.CreateDbContext())
        {
            Assert.Equal(3, await db.SurveyResponses.CountAsync());
            Assert.Equal(3, await db.Interactions.CountAsync(i => i.Type == "survey.response"));
        }

        var plain = (await _sandbox.RunAsync("import", "responses", file)).ShouldExit(0);
        Assert.StartsWith("Imported 0 responses, 4 duplicates skipped, 7 rejected in ", plain.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("id,answeredAt,survey,email,nsp", "column 'nsp' is neither a response column")]
    [InlineData("answeredAt,survey,email,nps", "the header has no 'id' column")]
    [InlineData("id,answeredAt,survey,nps", "names no identity column")]
    [InlineData("id,answeredAt,survey,email,nps,nps", "column 'nps' appears twice")]
    public async Task A_header_that_would_lose_answers_fails_the_import_before_any_row(string header, string message)
    {
        await PublishAsync("visit");
        _sandbox.WriteFile("bad.csv", header, "r1,2026-03-01T10:00:00Z,visit,ana@example.com,9");

        var result = (await _sandbox.RunAsync("import", "responses", "bad.csv")).ShouldExit(1);

        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
        await using var db = _sandbox.Factory.CreateDbContext();
        Assert.Equal(0, await db.SurveyResponses.CountAsync());
    }

    [Fact]
    public async Task Files_that_are_not_csv_or_missing_are_refused()
    {
        _sandbox.WriteFile("responses.jsonl", "{}");
        Assert.Contains("responses are imported from CSV", (await _sandbox.RunAsync("import", "responses", "responses.jsonl")).ShouldExit(1).Stderr, StringComparison.Ordinal);
        Assert.Contains("no such file", (await _sandbox.RunAsync("import", "responses", "none.csv")).ShouldExit(1).Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_large_file_with_hostile_cells_imports_its_good_rows()
    {
        await PublishAsync("visit");
        var lines = new List<string> { Header };
        for (var i = 0; i < 12_000; i++)
        {
            // Every 1,000th row carries a formula, markup and a 6,000-character answer: stored as text, or refused by length.
            var text = i % 1000 == 0 ? "\"=HYPERLINK(\"\"x\"\")<script>" + new string('x', 6000) + "\"" : "";
            lines.Add($"big-{i},2026-03-01T10:00:00Z,visit,c{i % 500}@example.com,,{i % 11},{text},,,");
        }

        _sandbox.WriteFile("big.csv", [.. lines]);
        var result = (await _sandbox.RunAsync("import", "responses", "big.csv", "--json")).ShouldExit(0).Json();

        // A 6,000-character answer is refused only where its question is asked (nps ≤ 6); elsewhere it is dropped unasked.
        var tooLong = Enumerable.Range(0, 12).Count(k => k * 1000 % 11 <= 6);
        Assert.Equal(12_000 - tooLong, result.GetProperty("imported").GetInt64());
        Assert.Equal(tooLong, result.GetProperty("rejected").GetInt64());
        await using var db = _sandbox.Factory.CreateDbContext();
        Assert.Equal(12_000 - tooLong, await db.SurveyResponses.CountAsync());
        Assert.Equal(500, await db.SurveyResponses.Select(r => r.CustomerId).Distinct().CountAsync());
    }

    [Fact]
    public async Task Metrics_nps_prints_each_slice_with_its_interval_and_counts()
    {
        await PublishAsync("visit");
        var lines = new List<string> { Header };
        string[] channels = ["store", "web"];
        for (var i = 0; i < 200; i++)
        {
            lines.Add($"m{i},2026-03-{1 + i % 28:00}T10:00:00Z,visit,m{i}@example.com,,{i % 11},,,{channels[i % 2]},");
        }

        _sandbox.WriteFile("scores.csv", [.. lines]);
        (await _sandbox.RunAsync("import", "responses", "scores.csv")).ShouldExit(0);

        var json = (await _sandbox.RunAsync("metrics", "nps", "--from", "2026-03-01", "--to", "2026-03-31", "--by", "channel", "--json")).ShouldExit(0).Json();

        Assert.Equal("channel", json.GetProperty("by").GetString());
        var slices = json.GetProperty("slices").EnumerateArray().ToList();
        Assert.Equal(["store", "web"], slices.Select(s => s.GetProperty("key").GetString()));
        for (var parity = 0; parity < 2; parity++)
        {
            var slice = slices[parity];
            // Independently: the scores of the rows with this parity.
            var scores = Enumerable.Range(0, 200).Where(i => i % 2 == parity).Select(i => i % 11).ToList();
            int promoters = scores.Count(x => x >= 9), detractors = scores.Count(x => x <= 6);
            Assert.Equal((scores.Count, promoters, scores.Count - promoters - detractors, detractors),
                (slice.GetProperty("n").GetInt32(), slice.GetProperty("promoters").GetInt32(), slice.GetProperty("passives").GetInt32(), slice.GetProperty("detractors").GetInt32()));
            var nps = 100.0 * (promoters - detractors) / scores.Count;
            Assert.Equal(nps, slice.GetProperty("nps").GetDouble(), 3);
            Assert.True(slice.GetProperty("low").GetDouble() < nps && nps < slice.GetProperty("high").GetDouble());
        }

        var plain = (await _sandbox.RunAsync("metrics", "nps", "--from", "2026-03-01", "--to", "2026-03-31")).ShouldExit(0);
        Assert.StartsWith("NPS 2026-03-01 … 2026-03-31, by all, 95 % intervals", plain.Stdout, StringComparison.Ordinal);
        Assert.Contains("n=200", plain.Stdout, StringComparison.Ordinal);

        var bad = (await _sandbox.RunAsync("metrics", "nps", "--by", "planet")).ShouldExit(2);
        Assert.Contains("--by: must be one of", bad.Stderr, StringComparison.Ordinal);
    }
}
