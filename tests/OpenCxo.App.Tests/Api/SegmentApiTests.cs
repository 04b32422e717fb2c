using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenCxo.App.Kpis;
using OpenCxo.App.Privacy;
using OpenCxo.App.Security;
using OpenCxo.Data.Analytics;
using OpenCxo.Data.Storage;
using OpenCxo.Testing;

namespace OpenCxo.App.Tests.Api;

/// <summary>Segments end to end through the API, on both databases: definitions, live counts, refresh and history, members, exports and webhook sync that respect consent.</summary>
public sealed class SegmentApiTests
{
    private static readonly DateTime Today = DateTime.UtcNow.Date;

    public static IEnumerable<object[]> Providers => TestDatabases.Providers;

    private static readonly JsonObject FrequentCallers = new()
    {
        ["key"] = "frequent-callers",
        ["name"] = "Called service 3+ times in 30 days",
        ["conditions"] = new JsonArray(new JsonObject
        {
            ["kind"] = "touchpoints", ["department"] = "service", ["channel"] = "phone", ["atLeast"] = 3, ["withinDays"] = 30,
        }),
    };

    [Theory, MemberData(nameof(Providers))]
    public async Task A_segment_counts_refreshes_keeps_history_and_exports_only_those_who_may_be_contacted(string provider)
    {
        using var hook = new WebhookSink();
        await using var host = await ApiHost.StartAsync(provider, new Dictionary<string, string?> { ["Kpis:Evaluate"] = "false" });
        var client = await host.ClientAsync("a");

        // ana, ben, cai and dee called three times this month; eve twice; dee is do-not-contact; cai refuses marketing.
        var events = new List<JsonObject>();
        foreach (var (who, calls) in new[] { ("ana", 3), ("ben", 4), ("cai", 3), ("dee", 3), ("eve", 2) })
        {
            for (var i = 0; i < calls; i++)
            {
                events.Add(Call($"{who}-{i}", who, Today.AddDays(-1 - i), who == "dee" ? new JsonObject { ["doNotContact"] = true } : null));
            }
        }

        await PostEventsAsync(client, events);
        var cai = await CustomerIdAsync(host, "cai@example.com");
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync($"/api/v1/customers/{cai}/consents/marketing", new { granted = false })).StatusCode);
        await host.Services.GetRequiredService<AnalyticsStore>().SyncAsync();

        // The live count while editing, before anything is saved.
        var count = await client.PostAsJsonAsync("/api/v1/segments/count", new JsonObject { ["conditions"] = FrequentCallers["conditions"]!.DeepClone() });
        Assert.Equal(4, (long)(await count.Content.ReadFromJsonAsync<JsonObject>())!["members"]!);

        var segment = FrequentCallers.DeepClone().AsObject();
        segment["webhook"] = hook.Url;
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/segments", segment)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsJsonAsync("/api/v1/segments", segment)).StatusCode);

        var refreshed = (await (await client.PostAsync("/api/v1/segments/frequent-callers/refresh", null)).Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal((4, 4, 0, 2), ((long)refreshed["members"]!, (long)refreshed["joined"]!, (long)refreshed["left"]!, (long)refreshed["added"]!));

        // The export leaves out cai (refused marketing) and dee (do not contact).
        var csv = await client.GetStringAsync("/api/v1/segments/frequent-callers/export");
        Assert.Equal(["customer,email,phone", .. Expected(host, "ana", "ben")], csv.TrimEnd().Split("\r\n"));

        // The webhook gets the same two as added.
        await host.Services.GetRequiredService<AlertService>().DeliverAsync(null, default);
        var added = Assert.Single(hook.Bodies);
        Assert.Equal(("segment.changes", "frequent-callers", 1L), ((string)added["type"]!, (string)added["segment"]!, (long)added["sequence"]!));
        Assert.Equal(["ana@example.com", "ben@example.com"], added["added"]!.AsArray().Select(c => (string)c!["email"]!));

        // eve calls a third time and joins; ana withdraws marketing consent and leaves the audience, not the segment.
        await PostEventsAsync(client, [Call("eve-9", "eve", Today.AddDays(-3))]);
        var ana = await CustomerIdAsync(host, "ana@example.com");
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync($"/api/v1/customers/{ana}/consents/marketing", new { granted = false })).StatusCode);
        await host.Services.GetRequiredService<AnalyticsStore>().SyncAsync();
        refreshed = (await (await client.PostAsync("/api/v1/segments/frequent-callers/refresh", null)).Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal((5, 1, 0, 1, 1), ((long)refreshed["members"]!, (long)refreshed["joined"]!, (long)refreshed["left"]!, (long)refreshed["added"]!, (long)refreshed["removed"]!));
        await host.Services.GetRequiredService<AlertService>().DeliverAsync(null, default);
        Assert.Equal(3, hook.Bodies.Count);
        Assert.Equal("eve@example.com", (string)hook.Bodies.Single(b => b["added"] is not null && (long)b["sequence"]! == 2)["added"]![0]!["email"]!);
        Assert.Equal("ana@example.com", (string)hook.Bodies.Single(b => b["removed"] is not null)["removed"]![0]!["email"]!);

        // A definition replaced so that ben alone holds: the others leave; the history has both refreshes and this one.
        segment["conditions"]![0]!["atLeast"] = 4;
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync("/api/v1/segments/frequent-callers", segment)).StatusCode);
        refreshed = (await (await client.PostAsync("/api/v1/segments/frequent-callers/refresh", null)).Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal((1, 0, 4), ((long)refreshed["members"]!, (long)refreshed["joined"]!, (long)refreshed["left"]!));
        var history = (await client.GetFromJsonAsync<JsonObject>("/api/v1/segments/frequent-callers"))!["history"]!.AsArray();
        Assert.Equal([4L, 5, 1], history.Select(h => (long)h!["members"]!));
        var members = (await client.GetFromJsonAsync<JsonObject>("/api/v1/segments/frequent-callers/members"))!;
        Assert.Equal(1, (long)members["total"]!);

        // Exports are audited.
        await using (var db = host.Factory.CreateDbContext())
        {
            Assert.True(await db.AuditLog.AnyAsync(e => e.Action == "export" && e.Target == "segment:frequent-callers"));
        }

        // Another workspace sees none of it.
        var other = await host.ClientAsync("b");
        Assert.Empty((await other.GetFromJsonAsync<JsonObject>("/api/v1/segments"))!["segments"]!.AsArray());
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync("/api/v1/segments/frequent-callers/export")).StatusCode);
        Assert.Equal(0, (long)(await (await other.PostAsJsonAsync("/api/v1/segments/count", new JsonObject { ["conditions"] = new JsonArray() })).Content.ReadFromJsonAsync<JsonObject>())!["members"]!);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Erasing_a_synced_customer_tells_the_webhook_to_remove_them(string provider)
    {
        using var hook = new WebhookSink();
        await using var host = await ApiHost.StartAsync(provider, new Dictionary<string, string?> { ["Kpis:Evaluate"] = "false" });
        var client = await host.ClientAsync("a");
        // From yesterday back (calls are at 10:00): today's would lie in the future before 10:00 UTC and not count.
        await PostEventsAsync(client, [.. Enumerable.Range(0, 3).Select(i => Call($"fay-{i}", "fay", Today.AddDays(-1 - i)))]);
        await host.Services.GetRequiredService<AnalyticsStore>().SyncAsync();
        var segment = FrequentCallers.DeepClone().AsObject();
        segment["webhook"] = hook.Url;
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/segments", segment)).StatusCode);
        await client.PostAsync("/api/v1/segments/frequent-callers/refresh", null);

        var fay = await CustomerIdAsync(host, "fay@example.com");
        Assert.Equal(HttpStatusCode.OK, (await client.DeleteAsync($"/api/v1/customers/{fay}")).StatusCode);
        await host.Services.GetRequiredService<AlertService>().DeliverAsync(null, default);
        var removed = hook.Bodies.Single(b => b["removed"] is not null);
        Assert.Equal(("erased", "fay@example.com"), ((string)removed["reason"]!, (string)removed["removed"]![0]!["email"]!));
        await using var db = host.Factory.CreateDbContext();
        Assert.False(await db.SegmentMembers.AnyAsync(m => m.CustomerId == fay));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Refreshes_racing_each_other_store_each_stay_and_send_each_change_once(string provider)
    {
        using var hook = new WebhookSink();
        await using var host = await ApiHost.StartAsync(provider, new Dictionary<string, string?> { ["Kpis:Evaluate"] = "false" });
        var client = await host.ClientAsync("a");
        await PostEventsAsync(client, [.. Enumerable.Range(0, 40).SelectMany(c => Enumerable.Range(0, 3).Select(i => Call($"r{c}-{i}", $"racer{c}", Today.AddDays(-1 - i))))]);
        await host.Services.GetRequiredService<AnalyticsStore>().SyncAsync();
        var segment = FrequentCallers.DeepClone().AsObject();
        segment["webhook"] = hook.Url;
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/segments", segment)).StatusCode);

        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => client.PostAsync("/api/v1/segments/frequent-callers/refresh", null)));
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        await host.Services.GetRequiredService<AlertService>().DeliverAsync(null, default);

        await using var db = host.Factory.CreateDbContext();
        var stays = await db.SegmentMembers.Where(m => m.LeftAt == null).Select(m => m.CustomerId).ToListAsync();
        Assert.Equal(40, stays.Count);
        Assert.Equal(40, stays.Distinct().Count());
        Assert.Equal(4, await db.SegmentSnapshots.CountAsync());
        var sent = hook.Bodies.SelectMany(b => b["added"]?.AsArray() ?? []).Select(c => (long)c!["customer"]!).ToList();
        Assert.Equal(40, sent.Count);
        Assert.Equal(40, sent.Distinct().Count());
    }

    [Fact]
    public async Task Bad_hostile_and_huge_definitions_are_refused_naming_the_field()
    {
        await using var host = await ApiHost.StartAsync("sqlite");
        var client = await host.ClientAsync("a");
        var bad = new JsonObject
        {
            ["key"] = "x", ["name"] = "X",
            ["conditions"] = new JsonArray(new JsonObject { ["kind"] = "answer", ["name"] = "nps", ["op"] = "<=", ["value"] = "six" }),
        };
        var response = await client.PostAsJsonAsync("/api/v1/segments", bad);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("conditions[0].value", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var typo = new JsonObject { ["key"] = "x", ["name"] = "X", ["conditons"] = new JsonArray() };
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsJsonAsync("/api/v1/segments", typo)).StatusCode);
        var huge = new StringContent("{\"key\":\"x\",\"name\":\"" + new string('a', 200_000) + "\",\"conditions\":[]}", Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync("/api/v1/segments", huge)).StatusCode);
        var deep = new StringContent(string.Concat(Enumerable.Repeat("[", 5000)), Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync("/api/v1/segments/count", deep)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PutAsJsonAsync("/api/v1/segments/other-key", FrequentCallers)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/v1/segments/nope/members?limit=5000")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/v1/segments/nope/members")).StatusCode);

        // Reading needs stats:read, exporting personal data customers:read, changing programme:write.
        var stats = await host.ClientAsync("a", Scopes.StatsRead);
        Assert.Equal(HttpStatusCode.Forbidden, (await stats.PostAsJsonAsync("/api/v1/segments", FrequentCallers)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await stats.GetAsync("/api/v1/segments/frequent-callers/export")).StatusCode);
    }

    private static IEnumerable<string> Expected(ApiHost host, params string[] who)
    {
        using var db = host.Factory.CreateDbContext();
        return [.. who.Select(w => (Email: w + "@example.com", Id: db.Identities.Single(i => i.Value == w + "@example.com").CustomerId))
            .OrderBy(x => x.Id).Select(x => string.Create(CultureInfo.InvariantCulture, $"{x.Id},{x.Email},"))];
    }

    internal static async Task<long> CustomerIdAsync(ApiHost host, string email)
    {
        await using var db = host.Factory.CreateDbContext();
        return await db.Identities.Where(i => i.Kind == "email" && i.Value == email).Select(i => i.CustomerId).SingleAsync();
    }

    internal static JsonObject Call(string id, string who, DateTime at, JsonObject? customerAttributes = null)
    {
        var customer = new JsonObject { ["email"] = who + "@example.com" };
        if (customerAttributes is not null)
        {
            customer["attributes"] = customerAttributes;
        }

        return new JsonObject
        {
            ["id"] = id, ["customer"] = customer, ["occurredAt"] = at.AddHours(10).ToString("o", CultureInfo.InvariantCulture),
            ["department"] = "service", ["channel"] = "phone", ["type"] = "call.completed",
        };
    }

    internal static async Task PostEventsAsync(HttpClient client, IEnumerable<JsonObject> events)
    {
        var response = await client.PostAsJsonAsync("/api/v1/events", new JsonObject { ["events"] = new JsonArray([.. events.Select(e => (JsonNode)e)]) });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }
}
