using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using OpenCxo.App.Alignment;
using OpenCxo.App.Text;
using OpenCxo.Data.Analytics;
using OpenCxo.Data.Storage;

/// <summary>
/// Issue 8: the alignment reports — a promise's keep rate and gap, sales quality, service balance — over the 10 M demo
/// touchpoints `bench timeline` builds, each asked for three different periods so that no answer comes from the cache.
/// Target: under 1 s each.
/// </summary>
internal static class AlignmentBench
{
    public static async Task RunAsync(string database)
    {
        var factory = new CxoDbFactory(DatabaseLocation.Parse("sqlite:" + database));
        await factory.MigrateAsync();
        long workspace;
        DateTime newest;
        long interactions;
        await using (var db = factory.CreateDbContext())
        {
            workspace = (await db.Workspaces.OrderBy(w => w.Id).FirstAsync()).Id;
            newest = await db.Interactions.MaxAsync(i => i.OccurredAt);
            interactions = await db.Interactions.LongCountAsync();
        }

        await new TextAnalyses(factory).CatchUpAsync(DateTime.UtcNow, default);
        await using var store = new AnalyticsStore(Path.ChangeExtension(database, ".duckdb"), factory);
        var clock = Stopwatch.StartNew();
        await store.SyncAsync();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"alignment: {interactions:N0} interactions; analytics store caught up in {clock.Elapsed.TotalSeconds:0.0} s"));

        var time = new FixedTime(new DateTimeOffset(newest.Date.AddDays(1), TimeSpan.Zero));
        var promises = new PromiseService(factory, store, time);
        var sales = new SalesQualityService(factory, store, time);
        var service = new ServiceBalanceService(store, time);
        var promise = DemoPromises.Promises[0];
        var today = DateOnly.FromDateTime(newest);

        // Where a promise report's time goes, each part asked once (nothing cached yet).
        var parts = new List<string>();
        async Task Part(string name, Func<Task> run)
        {
            clock.Restart();
            await run();
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{name} {clock.Elapsed.TotalMilliseconds:0} ms"));
        }

        var probe = promise with { Campaigns = ["soporte-24-7", "probe"] };
        var end = today.AddDays(-200).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        await Part("keep cells", () => store.PromiseCellsAsync(workspace, probe, end.AddDays(-28), end, time.GetUtcNow().UtcDateTime, weekly: false));
        await Part("weekly", () => store.PromiseCellsAsync(workspace, probe, end.AddDays(-182), end, time.GetUtcNow().UtcDateTime, weekly: true));
        await Part("cohorts", () => store.PromiseCohortsAsync(workspace, probe.Campaigns!, probe.Themes!, PromiseService.HorizonDays));
        await Part("reps", () => store.PromiseRepsAsync(workspace, probe.Campaigns!, 10));
        await Part("complaints", () => store.PromiseComplaintsAsync(workspace, probe.Campaigns!, probe.Themes!, 5));
        Console.WriteLine("alignment, promise report parts: " + string.Join(", ", parts));
        for (var round = 0; round < 3; round++)
        {
            var to = today.AddDays(-30 * round);
            clock.Restart();
            var report = await promises.ReportAsync(workspace, promise, default, to);
            var promiseMs = clock.Elapsed.TotalMilliseconds;
            clock.Restart();
            var quality = await sales.ReportAsync(workspace, SalesGrouping.Rep, to.AddDays(-729), to, default);
            var salesMs = clock.Elapsed.TotalMilliseconds;
            clock.Restart();
            var balance = await service.ReportAsync(workspace, true, to.AddDays(-179), to, ServiceBalanceService.DefaultHourlyCost, default);
            var serviceMs = clock.Elapsed.TotalMilliseconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"alignment, window to {to:yyyy-MM-dd}: promise gap {promiseMs:0} ms ({report.State.Whole.Judged:N0} contacts judged, {report.Gap?.Promised.Customers ?? 0:N0} + {report.Gap?.Others.Customers ?? 0:N0} customers compared); "
                + $"sales quality {salesMs:0} ms ({quality.All.Customers:N0} customers, {quality.Groups.Count} reps); service balance {serviceMs:0} ms ({balance.All.Contacts:N0} contacts, {balance.Groups.Count(g => g.Flagged)} of {balance.Groups.Count} agents flagged)"));
        }
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
