using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using OpenCxo.App.Metrics;
using OpenCxo.App.Text;
using OpenCxo.Core.Metrics;
using OpenCxo.Data.Analytics;
using OpenCxo.Data.Storage;

/// <summary>
/// Issue 6: every catalogue metric over a large database (the 10 M demo touchpoints `bench timeline` builds), for the
/// last year by week and one slice, from the analytics store; and the same question asked of the system of record.
/// Also times the text analysis catching up with a database that never had it (issue 5 at scale).
/// </summary>
internal static class CatalogueBench
{
    private static readonly string[] Slices = ["channel", "team", "customer.attr.country", "segment", "campaign", "all"];

    public static async Task RunAsync(string database, bool skipRecord, string? only = null)
    {
        var location = DatabaseLocation.Parse("sqlite:" + database);
        var factory = new CxoDbFactory(location);
        await factory.MigrateAsync();
        long workspace;
        long interactions;
        await using (var db = factory.CreateDbContext())
        {
            workspace = db.Workspaces.OrderBy(w => w.Id).First().Id;
            interactions = db.Interactions.LongCount();
        }

        var clock = Stopwatch.StartNew();
        var texts = await new TextAnalyses(factory).CatchUpAsync(DateTime.UtcNow, default);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"catalogue: {interactions:N0} touchpoints; text analysis caught up {texts:N0} texts in {clock.Elapsed.TotalSeconds:0.0} s ({texts / Math.Max(0.001, clock.Elapsed.TotalSeconds):N0} texts/s)"));

        await using var store = new AnalyticsStore(Path.ChangeExtension(database, ".duckdb"), factory);
        clock.Restart();
        var synced = await store.SyncAsync();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"catalogue: analytics store copied {synced.InteractionsCopied:N0} touchpoints, {synced.TraitsCopied:N0} attributes, {synced.TextsCopied:N0} text analyses in {clock.Elapsed.TotalSeconds:0.0} s"));

        DateTime newest;
        await using (var db = factory.CreateDbContext())
        {
            newest = db.Interactions.Max(i => i.OccurredAt);
        }

        var to = DateOnly.FromDateTime(newest);
        var from = to.AddDays(-364);
        var offset = 0;
        foreach (var name in CatalogueMetrics.Bases.Keys.Where(n => only is null || n == only))
        {
            var metric = MetricCatalogue.Find(name)!;
            offset += 1;
            // Channel, team and country where the metric splits by them, else the next that it does (segment, campaign).
            var grain = name == CatalogueMetrics.CohortRetention ? "month" : "week";
            var slices = Slices
                .Where(by => CatalogueQuery.Parse(FeedbackQuery.Parse(null, null, [], [], [], [], [], to).Query!, metric, grain, by).Query is not null)
                .Take(3);
            foreach (var by in slices)
            {
                var times = new List<double>();
                long cells = 0;
                for (var run = 0; run < 7; run++)
                {
                    // A different period each run (a week shorter: whole weeks are one query of their own, which the
                    // store caches) and metric (a day shorter: sentiment and negative feedback share read the same
                    // statistics), so no answer comes from the store's cache.
                    var (filters, _) = FeedbackQuery.Parse(
                        from.AddDays((7 * run) + offset).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                        [], [], [], [], [], to);
                    var (query, _) = CatalogueQuery.Parse(filters!, metric, grain, by);
                    var start = Stopwatch.GetTimestamp();
                    var answer = await CatalogueMetrics.ComputeAsync(store, workspace, metric, query!, default, catchUp: false);
                    times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    cells = answer.Points.Count;
                }

                times.Sort();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"catalogue: {name} by {grain} and {by} over a year: median {times[3]:0} ms, worst {times[^1]:0} ms ({cells:N0} cells, 7 runs, nothing cached)"));
            }
        }

        // An incremental copy: 1,000 touchpoints of 1,000 existing customers, dated in the past year, so that their
        // customer facts are recomputed (the rows stay in the file; each run adds a thousand).
        await using (var db = factory.CreateDbContext())
        {
            var random = new Random();
            var customers = await db.Customers.Where(c => c.WorkspaceId == workspace).OrderBy(c => c.Id).Select(c => c.Id).Take(200_000).ToListAsync();
            for (var n = 0; n < 1000; n++)
            {
                var at = newest.AddDays(-random.Next(1, 365)).AddSeconds(random.Next(86_400));
                db.Interactions.Add(new InteractionRow
                {
                    WorkspaceId = workspace, EventId = "bench-refresh-" + Guid.NewGuid().ToString("N"), CustomerId = customers[random.Next(customers.Count)],
                    OccurredAt = at, ReceivedAt = at, Department = "sales", Channel = "web", Type = "order.placed", ValueE4 = 490_000, Currency = "EUR",
                });
            }

            await db.SaveChangesAsync();
        }

        clock.Restart();
        synced = await store.SyncAsync();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"catalogue: an incremental copy of {synced.InteractionsCopied:N0} touchpoints (their customers' facts recomputed) in {clock.Elapsed.TotalSeconds:0.00} s"));

        if (skipRecord)
        {
            return;
        }

        // The same question of the system of record: average handle time by week and channel over the year, and active
        // customers by week and channel, in SQL on the SQLite file.
        foreach (var (label, sql) in new[]
        {
            ("average_handle_time", """
                SELECT strftime('%Y-%W', occurred_at / 1000000, 'unixepoch') AS w, channel, count(*),
                       sum(json_extract(attributes, '$.handleSeconds')), sum(json_extract(attributes, '$.handleSeconds') * json_extract(attributes, '$.handleSeconds'))
                FROM interactions
                WHERE workspace_id = @w AND occurred_at >= @from AND occurred_at < @to AND json_extract(attributes, '$.handleSeconds') IS NOT NULL
                GROUP BY w, channel
                """),
            ("active_customers", """
                SELECT strftime('%Y-%W', i.occurred_at / 1000000, 'unixepoch') AS w, i.channel, count(DISTINCT coalesce(c.merged_into, i.customer_id))
                FROM interactions i LEFT JOIN customers c ON c.id = i.customer_id
                WHERE i.workspace_id = @w AND i.occurred_at >= @from AND i.occurred_at < @to
                GROUP BY w, i.channel
                """),
        })
        {
            using var connection = new SqliteConnection(location.ConnectionString);
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.Parameters.AddWithValue("@w", workspace);
            command.Parameters.AddWithValue("@from", UnixMicros.From(from.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc)));
            command.Parameters.AddWithValue("@to", UnixMicros.From(to.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc)));
            var start = Stopwatch.GetTimestamp();
            var rows = 0;
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    rows++;
                }
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"catalogue: the same {label} by week and channel on the system of record (SQLite): {Stopwatch.GetElapsedTime(start).TotalMilliseconds:0} ms ({rows:N0} cells)"));
        }
    }
}
