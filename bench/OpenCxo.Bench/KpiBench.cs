using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpenCxo.App.Alignment;
using OpenCxo.App.Feedback;
using OpenCxo.App.Hosting;
using OpenCxo.App.Kpis;
using OpenCxo.App.Security;
using OpenCxo.App.Text;
using OpenCxo.Data.Analytics;
using OpenCxo.Data.Storage;

/// <summary>
/// Issue 6: the demo's KPIs over a large database (the 10 M demo touchpoints `bench timeline` builds): the scorecards
/// (every KPI's state now), a new KPI's twelve snapshots, and the monthly council report, as of the day after the
/// newest touchpoint so that "now" holds data.
/// </summary>
internal static class KpiBench
{
    public static async Task RunAsync(string database)
    {
        var location = DatabaseLocation.Parse("sqlite:" + database);
        var factory = new CxoDbFactory(location);
        await factory.MigrateAsync();
        long workspace;
        string slug;
        DateTime newest;
        await using (var db = factory.CreateDbContext())
        {
            var first = await db.Workspaces.OrderBy(w => w.Id).FirstAsync();
            (workspace, slug) = (first.Id, first.Slug);
            newest = await db.Interactions.MaxAsync(i => i.OccurredAt);
            foreach (var role in Roles.All.Where(r => !db.Users.Any(u => u.Name == r)))
            {
                await UserAccounts.CreateAsync(db, slug, role, role, null, DateTime.UtcNow);
            }

            // Each run starts from no KPIs, so that snapshots are taken, not found.
            await db.KpiSnapshots.Where(s => s.WorkspaceId == workspace).ExecuteDeleteAsync();
            await db.Kpis.Where(k => k.WorkspaceId == workspace).ExecuteDeleteAsync();
        }

        await new TextAnalyses(factory).CatchUpAsync(DateTime.UtcNow, default);
        await using var store = new AnalyticsStore(Path.ChangeExtension(database, ".duckdb"), factory);
        var clock = Stopwatch.StartNew();
        await store.SyncAsync();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"kpis: analytics store caught up in {clock.Elapsed.TotalSeconds:0.0} s"));

        var time = new FixedTime(new DateTimeOffset(newest.Date.AddDays(1), TimeSpan.Zero));
        var kpis = new KpiService(factory, store, time);
        using var services = new ServiceCollection().AddHttpClient().BuildServiceProvider();
        var alerts = new AlertService(factory, store, kpis, new PromiseService(factory, store, time), new SmtpMailer(Options.Create(new SmtpOptions())), services.GetRequiredService<IHttpClientFactory>(),
            time, NullLogger<AlertService>.Instance);
        foreach (var kpi in DemoKpis.Kpis)
        {
            if ((await kpis.SaveAsync(workspace, kpi, "bench", replace: true, default)).Errors is [var problem, ..])
            {
                throw new InvalidOperationException($"{kpi.Key}: {problem.Field}: {problem.Message}");
            }
        }

        clock.Restart();
        var states = await kpis.StatesAsync(workspace, default);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"kpis: scorecards of {states.Count} KPIs in {clock.Elapsed.TotalMilliseconds:0} ms, first time ({string.Join(", ", states.Select(s => $"{s.Definition.Key} {KpiService.StatusName(s.Status)}"))})"));
        clock.Restart();
        await kpis.StatesAsync(workspace, default);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"kpis: scorecards again in {clock.Elapsed.TotalMilliseconds:0} ms (answers cached)"));

        clock.Restart();
        var taken = await kpis.SnapshotAsync(workspace, default);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"kpis: {taken} snapshots (12 periods × {states.Count} KPIs) in {clock.Elapsed.TotalSeconds:0.0} s"));

        var (from, to) = CouncilReport.ParseMonth(null, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime))!.Value;
        clock.Restart();
        var report = await CouncilReport.BuildAsync(kpis, alerts, store, factory, workspace, from, to, default);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"kpis: council report for {report.Month} ({report.Lines.Count} KPIs, two months each) in {clock.Elapsed.TotalMilliseconds:0} ms"));
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
