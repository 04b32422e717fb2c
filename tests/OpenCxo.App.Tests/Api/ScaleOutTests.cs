using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenCxo.Data.Analytics;
using OpenCxo.Data.Storage;
using OpenCxo.Testing;

namespace OpenCxo.App.Tests.Api;

/// <summary>Issue 9: several servers share one database; background jobs run in one of them at a time (leases).</summary>
public sealed class ScaleOutTests
{
    public static IEnumerable<object[]> Providers => TestDatabases.Providers;

    [Theory, MemberData(nameof(Providers))]
    public async Task A_lease_has_one_holder_at_a_time_and_passes_on_when_released_or_lapsed(string provider)
    {
        var factory = new CxoDbFactory(DatabaseLocation.Parse(await TestDatabases.NewDatabaseAsync(provider)));
        await factory.MigrateAsync();
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
        var first = new JobLeases(factory, clock);
        var second = new JobLeases(factory, clock);
        Assert.NotEqual(first.Holder, second.Holder);

        // Both race for a fresh lease many times over: exactly one wins each round.
        for (var round = 0; round < 20; round++)
        {
            var job = "race-" + round;
            var attempts = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => (i % 2 == 0 ? first : second).TryAcquireAsync(job, TimeSpan.FromMinutes(1), CancellationToken.None)));
            var winners = attempts.Count(won => won);
            Assert.True(winners is >= 1 and <= 4, $"round {round}: {winners}");
            await using var db = factory.CreateDbContext();
            var holder = (await db.Leases.SingleAsync(l => l.Name == job)).Holder;
            var winner = holder == first.Holder ? 0 : 1;
            Assert.All(attempts.Select((won, i) => (won, i)), a => Assert.Equal(a.i % 2 == winner, a.won));
        }

        Assert.True(await first.TryAcquireAsync("kpis", TimeSpan.FromMinutes(2), CancellationToken.None));
        Assert.False(await second.TryAcquireAsync("kpis", TimeSpan.FromMinutes(2), CancellationToken.None));
        Assert.True(await first.TryAcquireAsync("kpis", TimeSpan.FromMinutes(2), CancellationToken.None));
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.False(await second.TryAcquireAsync("kpis", TimeSpan.FromMinutes(2), CancellationToken.None));
        clock.Advance(TimeSpan.FromMinutes(1.5));
        // The holder stopped renewing: after its term another instance takes over.
        Assert.True(await second.TryAcquireAsync("kpis", TimeSpan.FromMinutes(2), CancellationToken.None));
        Assert.False(await first.TryAcquireAsync("kpis", TimeSpan.FromMinutes(2), CancellationToken.None));
        await second.ReleaseAsync("kpis", CancellationToken.None);
        Assert.True(await first.TryAcquireAsync("kpis", TimeSpan.FromMinutes(2), CancellationToken.None));

        // A pass runs only where the lease is held.
        var ran = new List<string>();
        Assert.True(await first.RunAsync("pass", TimeSpan.FromMinutes(1), _ => { ran.Add("first"); return Task.CompletedTask; }, CancellationToken.None));
        Assert.False(await second.RunAsync("pass", TimeSpan.FromMinutes(1), _ => { ran.Add("second"); return Task.CompletedTask; }, CancellationToken.None));
        Assert.Equal(["first"], ran);
    }

    [Fact]
    public async Task Two_servers_on_one_PostgreSQL_ingest_once_read_the_same_and_share_the_jobs()
    {
        if (!TestDatabases.Providers.Any(p => (string)p[0] == "postgres"))
        {
            Assert.Fail("this test needs PostgreSQL: run it through ./test.sh, which starts one");
        }

        var database = DatabaseLocation.Parse(await TestDatabases.NewDatabaseAsync("postgres"));
        await new CxoDbFactory(database).MigrateAsync();
        var fast = new Dictionary<string, string?> { ["Text:Interval"] = "00:00:00.2", ["Kpis:Evaluate"] = "false" };
        await using var a = await ApiHost.StartAsync(database, fast);
        await using var b = await ApiHost.StartAsync(database, fast);
        var clientA = await a.ClientAsync("shop");
        var clientB = await b.ClientAsync("shop");

        // 300 events, each batch to one server or the other, every event sent twice (once through each).
        var start = new DateTime(2026, 6, 1, 0, 0, 0, DateTimeKind.Utc);
        var accepted = 0;
        for (var batch = 0; batch < 10; batch++)
        {
            var events = Enumerable.Range(batch * 30, 30).Select(i => new JsonObject
            {
                ["id"] = $"ev-{i}", ["customer"] = new JsonObject { ["email"] = $"c{i % 40}@example.com" },
                ["occurredAt"] = start.AddMinutes(i).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
                ["department"] = "service", ["channel"] = "chat", ["type"] = "chat.closed", ["text"] = i % 3 == 0 ? "the app crashes when I pay" : null,
            }).ToArray();
            var responses = await Task.WhenAll(
                clientA.PostAsJsonAsync("/api/v1/events", new JsonObject { ["events"] = new JsonArray([.. events.Select(e => e.DeepClone())]) }),
                clientB.PostAsJsonAsync("/api/v1/events", new JsonObject { ["events"] = new JsonArray([.. events.Select(e => e.DeepClone())]) }));
            foreach (var response in responses)
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                accepted += (int)(await response.Content.ReadFromJsonAsync<JsonObject>())!["accepted"]!;
            }
        }

        Assert.Equal(300, accepted);
        await using (var db = a.Factory.CreateDbContext())
        {
            Assert.Equal(300, await db.Interactions.CountAsync());
            Assert.Equal(40, await db.Customers.CountAsync(c => c.MergedInto == null));
        }

        // Each server's own analytics store catches up with the shared database and answers the same.
        foreach (var (host, client) in new[] { (a, clientA), (b, clientB) })
        {
            await host.Services.GetRequiredService<AnalyticsStore>().SyncAsync();
            Assert.Equal(300, (long)(await client.GetFromJsonAsync<JsonObject>("/api/v1/interactions?from=2026-01-01&to=2026-12-31"))!["total"]!);
        }

        // The text job ran in one instance at a time: each text analysed once, by the lease's holder.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        await using (var db = a.Factory.CreateDbContext())
        {
            while (await db.TextAnalyses.CountAsync() < 100 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }

            Assert.Equal(100, await db.TextAnalyses.CountAsync());
            Assert.Equal(100, await db.TextAnalyses.Select(t => t.InteractionSeq).Distinct().CountAsync());
            var lease = await db.Leases.SingleAsync(l => l.Name == "text-analysis");
            Assert.Contains(lease.Holder, new[] { a.Services.GetRequiredService<JobLeases>().Holder, b.Services.GetRequiredService<JobLeases>().Holder });
        }
    }
}
