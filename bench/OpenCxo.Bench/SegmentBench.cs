using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using OpenCxo.App.Campaigns;
using OpenCxo.App.Segments;
using OpenCxo.Core.Ingest;
using OpenCxo.Core.Profiles;
using OpenCxo.Core.Campaigns;
using OpenCxo.Core.Segments;
using OpenCxo.Data.Analytics;
using OpenCxo.Data.Ingest;
using OpenCxo.Data.Storage;

/// <summary>
/// Issue 10: segment counts while editing over 1,000,000 customers and 10,000,000 touchpoints (target under 1 s), and
/// the CSV export of a segment of about 1,000,000 members (target under 10 s). The database is built once and kept.
/// </summary>
internal static class SegmentBench
{
    private static readonly (Department Department, Channel Channel, string Type)[] Kinds =
    [
        (Department.Marketing, Channel.Email, "campaign.sent"), (Department.Marketing, Channel.Email, "campaign.opened"),
        (Department.Sales, Channel.Web, "order.placed"), (Department.Service, Channel.Phone, "call.completed"),
        (Department.Service, Channel.Chat, "chat.closed"), (Department.Product, Channel.App, "app.session"),
        (Department.Service, Channel.Email, "survey.response"),
    ];

    private static readonly string[] Plans = ["free", "basic", "pro", "enterprise"];

    public static async Task RunAsync(string work, int customers, int perCustomer)
    {
        var path = Path.Combine(work, $"segments-{customers}x{perCustomer}.db");
        var location = DatabaseLocation.Parse("sqlite:" + path);
        var factory = new CxoDbFactory(location);
        var now = new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc);
        if (!File.Exists(path + ".loaded"))
        {
            foreach (var stale in new[] { path, path + "-wal", path + "-shm", Path.ChangeExtension(path, ".duckdb"), Path.ChangeExtension(path, ".duckdb") + ".wal" })
            {
                File.Delete(stale);
            }

            await factory.MigrateAsync();
            var clock = Stopwatch.StartNew();
            await using (var ingestor = new EventIngestor(factory, TimeProvider.System))
            {
                await using var session = ingestor.BeginSession(1);
                foreach (var batch in Events(customers, perCustomer, now).Chunk(20_000))
                {
                    await session.IngestAsync(batch, CancellationToken.None);
                }

                await session.CommitAsync(CancellationToken.None);
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"segments: stored {customers * perCustomer:N0} events of {customers:N0} customers in {clock.Elapsed.TotalSeconds:0} s"));
            await ScoreAsync(path, now);
            await File.WriteAllTextAsync(path + ".loaded", DateTime.UtcNow.ToString("O"));
        }

        await using var store = new AnalyticsStore(Path.ChangeExtension(path, ".duckdb"), factory);
        var sync = Stopwatch.StartNew();
        var copied = await store.SyncAsync();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"segments: analytics store copied {copied.InteractionsCopied:N0} touchpoints in {sync.Elapsed.TotalSeconds:0.0} s"));

        // The events went in as workspace 1's.
        const long workspace = 1;

        var service = new SegmentService(factory, store, new FixedTime(now));

        // A builder session: each edit is a new definition, counted once.
        string[] edits =
        [
            """[{"kind":"touchpoints","department":"service","channel":"phone","atLeast":3,"withinDays":30}]""",
            """[{"kind":"touchpoints","department":"service","channel":"phone","atLeast":2,"withinDays":90}]""",
            """[{"kind":"touchpoints","department":"service","channel":"phone","atLeast":2,"withinDays":90},{"kind":"attribute","name":"plan","op":"in","value":["pro","enterprise"]}]""",
            """[{"kind":"touchpoints","department":"service","atLeast":2,"withinDays":90},{"kind":"attribute","name":"plan","op":"in","value":["pro","enterprise"]},{"kind":"score","name":"churnRisk","op":">=","value":0.5}]""",
            """[{"kind":"answer","name":"nps","op":"<=","value":6}]""",
            """[{"kind":"answer","name":"nps","op":"<=","value":6},{"kind":"activity","name":"daysSinceLastTouch","op":">","value":60}]""",
            """[{"kind":"group","match":"any","conditions":[{"kind":"answer","name":"nps","op":"<=","value":6},{"kind":"score","name":"churnRisk","op":">=","value":0.7}]}]""",
            """[{"kind":"group","match":"any","conditions":[{"kind":"answer","name":"nps","op":"<=","value":6},{"kind":"score","name":"churnRisk","op":">=","value":0.7}]},{"kind":"consent","name":"marketing","state":"refused","not":true}]""",
            """[{"kind":"touchpoints","type":"order.placed","atLeast":0,"atMost":0,"withinDays":180},{"kind":"score","name":"lifetimeValue","op":">","value":500}]""",
            """[{"kind":"attribute","name":"plan","op":"=","value":"free","not":true}]""",
            """[{"kind":"touchpoints","atLeast":1,"withinDays":365}]""",
        ];
        var times = new List<double>();
        foreach (var edit in edits)
        {
            var definition = new SegmentDefinition("bench", "Bench", JsonSerializer.Deserialize<List<SegmentCondition>>(edit, SegmentService.Json)!);
            var counted = await service.CountAsync(workspace, definition, default);
            times.Add(counted.Elapsed.TotalMilliseconds);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"segments: count {counted.Members,9:N0} in {counted.Elapsed.TotalMilliseconds,6:0} ms  {edit}"));
        }

        times.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"segments: {times.Count} counts, median {times[times.Count / 2]:0} ms, slowest {times[^1]:0} ms (target < 1,000 ms)"));

        // The export of the largest segment: everyone active in the year.
        var everyone = new SegmentDefinition("bench-all", "Everyone active this year", JsonSerializer.Deserialize<List<SegmentCondition>>(edits[^1], SegmentService.Json)!);
        await service.SaveAsync(workspace, everyone, "bench", replace: true, default);
        var saved = (await service.GetAsync(workspace, "bench-all", default))!.Value.Definition;
        var export = Stopwatch.StartNew();
        var audience = await service.AudienceAsync(workspace, saved, default);
        var file = Path.Combine(work, "segment-export.csv");
        await using (var stream = new FileStream(file, FileMode.Create, FileAccess.Write))
        {
            await SegmentService.WriteCsvAsync(stream, audience, default);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"segments: exported {audience.Count:N0} members ({new FileInfo(file).Length / 1e6:0.0} MB CSV) in {export.Elapsed.TotalSeconds:0.00} s (target < 10 s)"));

        var refresh = await service.RefreshAsync(workspace, "bench-all", default);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"segments: first refresh of {refresh.Members:N0} members (all joining) in {refresh.Elapsed.TotalSeconds:0.0} s"));
        refresh = await service.RefreshAsync(workspace, "bench-all", default);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"segments: next refresh ({refresh.Joined:N0} joined, {refresh.Left:N0} left) in {refresh.Elapsed.TotalSeconds:0.0} s"));

        // A campaign on it: 10 % held out, launched twelve weeks ago, measured over the twelve weeks since.
        var campaignTime = new FixedTime(now.AddDays(-84));
        var campaigns = new CampaignService(factory, store, new SegmentService(factory, store, campaignTime), campaignTime);
        await campaigns.SaveAsync(workspace, new CampaignDefinition("bench-thanks", "Bench", "bench-all", 0.1, 12), "bench", replace: true, default);
        var timer = Stopwatch.StartNew();
        var plan = (await campaigns.PlanAsync(workspace, (await campaigns.GetAsync(workspace, "bench-thanks", default))!.Value.Definition, null, default))!;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"campaigns: plan over {plan.Audience:N0} customers in {timer.Elapsed.TotalSeconds:0.0} s; detects {string.Join("; ", plan.Chosen.Detectable.Select(d => d.Smallest is { } x ? $"{d.Outcome} ±{x:0.00} {d.Unit}" : $"{d.Outcome}: {d.Why}"))}"));
        timer.Restart();
        var launched = await campaigns.LaunchAsync(workspace, "bench-thanks", default);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"campaigns: launch, {launched.Treated:N0} treated and {launched.Control:N0} held out, in {timer.Elapsed.TotalSeconds:0.0} s"));
        campaignTime.Now = now;
        timer.Restart();
        var row = (await campaigns.GetAsync(workspace, "bench-thanks", default))!.Value.Row;
        var results = (await campaigns.ResultsAsync(workspace, row, default))!;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"campaigns: results for {results.ByWeek.Count} weeks of {launched.Treated + launched.Control:N0} members in {timer.Elapsed.TotalSeconds:0.0} s"));
        await campaigns.EndAsync(workspace, "bench-thanks", default);
        await campaigns.DeleteAsync(workspace, "bench-thanks", default);
        await service.DeleteAsync(workspace, "bench-all", default);
    }

    /// <summary>Each customer: an e-mail address, a plan, and <paramref name="perCustomer"/> touchpoints over the year before <paramref name="now"/>.</summary>
    private static IEnumerable<CanonicalEvent> Events(int customers, int perCustomer, DateTime now)
    {
        var random = new Random(10);
        for (var c = 0; c < customers; c++)
        {
            IdentityKey[] keys = [IdentityKey.Email($"c{c}@bench.example")];
            ProfileField[] profile = [new("plan", $"\"{Plans[random.Next(Plans.Length)]}\"")];
            for (var e = 0; e < perCustomer; e++)
            {
                var (department, channel, type) = Kinds[random.Next(Kinds.Length)];
                var at = now.AddMinutes(-random.Next(365 * 24 * 60));
                var attributes = type == "survey.response" ? $$"""{"survey":"relational","npsScore":{{random.Next(11)}}}""" : null;
                var value = type == "order.placed" ? Math.Round((decimal)(random.NextDouble() * 200), 2) : 0m;
                yield return new CanonicalEvent($"c{c}-{e}", keys, at, department, channel, type, value, value == 0 ? null : "EUR", null, attributes, e == 0 ? profile : []);
            }
        }
    }

    /// <summary>A model run scoring every customer: churn risk and lifetime value, written as the scoring job does (one row each).</summary>
    private static async Task ScoreAsync(string path, DateTime now)
    {
        await using var connection = new SqliteConnection($"Data Source={path}");
        await connection.OpenAsync();
        await using var transaction = connection.BeginTransaction();
        var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO model_runs (workspace_id, started_at, finished_at, as_of, status, customers, report_json) VALUES (1, $t, $t, $t, 'ok', 0, '{}') RETURNING id";
        insert.Parameters.AddWithValue("$t", now);
        var run = (long)(await insert.ExecuteScalarAsync())!;
        var score = connection.CreateCommand();
        score.Transaction = transaction;
        score.CommandText = "INSERT INTO customer_scores (workspace_id, customer_id, run_id, churn_risk, lifetime_value) SELECT workspace_id, id, $run, (abs(random()) % 1000) / 1000.0, (abs(random()) % 2000) FROM customers";
        score.Parameters.AddWithValue("$run", run);
        await score.ExecuteNonQueryAsync();
        await transaction.CommitAsync();
    }

    private sealed class FixedTime(DateTime now) : TimeProvider
    {
        public DateTime Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => new(Now);
    }
}
