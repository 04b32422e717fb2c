using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenCxo.App.Kpis;
using OpenCxo.App.Security;
using OpenCxo.Core.Campaigns;
using OpenCxo.Data.Analytics;
using OpenCxo.Testing;
using static OpenCxo.App.Tests.Api.SegmentApiTests;

namespace OpenCxo.App.Tests.Api;

/// <summary>Campaigns end to end through the API, on both databases: a random, stable control group that is never contacted, and the uplift against it.</summary>
public sealed class CampaignApiTests
{
    private const int Customers = 200;

    public static IEnumerable<object[]> Providers => TestDatabases.Providers;

    private static readonly JsonObject Callers = new()
    {
        ["key"] = "callers",
        ["name"] = "Called service in the last 30 days",
        ["conditions"] = new JsonArray(new JsonObject { ["kind"] = "touchpoints", ["department"] = "service", ["withinDays"] = 30 }),
    };

    private static JsonObject Campaign(double controlShare = 0.3) => new()
    {
        ["key"] = "thank-you", ["name"] = "Thank-you call", ["segment"] = "callers", ["controlShare"] = controlShare, ["weeks"] = 4, ["kind"] = "loyalty",
    };

    [Theory, MemberData(nameof(Providers))]
    public async Task A_launch_holds_out_a_random_stable_control_group_that_no_export_or_webhook_contains_and_measures_the_uplift_against_it(string provider)
    {
        using var hook = new WebhookSink();
        await using var host = await ApiHost.StartAsync(provider, new Dictionary<string, string?> { ["Kpis:Evaluate"] = "false" });
        var client = await host.ClientAsync("a");
        var today = DateTime.UtcNow.Date;
        await PostEventsAsync(client, Enumerable.Range(0, Customers).Select(i => Call($"call-{i}", Who(i), today.AddDays(-2))));
        var refuser = await CustomerIdAsync(host, Who(0) + "@example.com");
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync($"/api/v1/customers/{refuser}/consents/marketing", new { granted = false })).StatusCode);
        await host.Services.GetRequiredService<AnalyticsStore>().SyncAsync();

        var segment = Callers.DeepClone().AsObject();
        segment["webhook"] = hook.Url;
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/segments", segment)).StatusCode);
        await client.PostAsync("/api/v1/segments/callers/refresh", null);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/campaigns", Campaign())).StatusCode);

        // The plan: the audience is everyone who may be contacted; the chosen split and the others are offered.
        var plan = (await client.GetFromJsonAsync<JsonObject>("/api/v1/campaigns/thank-you/plan"))!;
        Assert.Equal(Customers - 1, (long)plan["audience"]!);
        Assert.Equal(Math.Round((Customers - 1) * 0.3), (long)plan["chosen"]!["control"]!);
        Assert.Equal(Campaigns.CampaignService.Shares.Count - 1, plan["alternatives"]!.AsArray().Count);

        // Baselines entered with the campaign replace the history's, outcome by outcome, and say so.
        var entered = Campaign();
        entered["baselines"] = new JsonObject { ["repeatPurchase"] = 5, ["valueSd"] = 30, ["currency"] = "EUR", ["promoters"] = 40, ["detractors"] = 20, ["npsResponse"] = 50 };
        var sized = (await (await client.PostAsJsonAsync("/api/v1/campaigns/plan", entered)).Content.ReadFromJsonAsync<JsonObject>())!;
        var detectable = sized["chosen"]!["detectable"]!.AsArray().ToDictionary(d => (string)d!["outcome"]!, d => d!);
        Assert.Equal(
            [("retention", false), ("repeatPurchase", true), ("valuePerMember", true), ("nps", true)],
            detectable.Select(d => (d.Key, (bool)d.Value["entered"]!)).OrderBy(d => d.Key switch { "retention" => 0, "repeatPurchase" => 1, "valuePerMember" => 2, _ => 3 }));
        Assert.Equal(("EUR", "EUR"), ((string)sized["currency"]!, (string)detectable["valuePerMember"]["unit"]!));
        Assert.Equal(5.0, (double)detectable["repeatPurchase"]["baseline"]!);

        var launched = (await (await client.PostAsync("/api/v1/campaigns/thank-you/launch", null)).Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(Customers - 1, (long)launched["treated"]! + (long)launched["control"]!);
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsync("/api/v1/campaigns/thank-you/launch", null)).StatusCode);

        // Stable: the stored groups are exactly what the seed gives; random: about the share asked for (±5 standard errors).
        await using var db = host.Factory.CreateDbContext();
        var row = await db.Campaigns.SingleAsync(c => c.Key == "thank-you");
        var members = await db.CampaignMembers.Where(m => m.CampaignId == row.Id).ToListAsync();
        Assert.All(members, m => Assert.Equal(CampaignDesign.IsControl(row.Seed!, m.CustomerId, 0.3), m.Control));
        var control = members.Where(m => m.Control).Select(m => m.CustomerId).ToHashSet();
        var treated = members.Where(m => !m.Control).Select(m => m.CustomerId).ToHashSet();
        Assert.InRange(control.Count, (0.3 * 199) - (5 * Math.Sqrt(199 * 0.3 * 0.7)), (0.3 * 199) + (5 * Math.Sqrt(199 * 0.3 * 0.7)));
        Assert.DoesNotContain(refuser, members.Select(m => m.CustomerId));

        // Never contacted: not in the segment's export, removed from its webhook by the launch itself, not in the
        // campaign's export, and marked held out among the segment's members.
        Assert.Equal(treated, Ids(await client.GetStringAsync("/api/v1/segments/callers/export")));
        await host.Services.GetRequiredService<AlertService>().DeliverAsync(null, default);
        Assert.Equal(control, hook.Bodies.SelectMany(b => b["removed"]?.AsArray() ?? []).Select(c => (long)c!["customer"]!).ToHashSet());
        Assert.Equal(treated, Ids(await client.GetStringAsync("/api/v1/campaigns/thank-you/export")));
        var listed = (await client.GetFromJsonAsync<JsonObject>("/api/v1/segments/callers/members?limit=1000"))!["members"]!.AsArray();
        Assert.Equal(control, listed.Where(m => (bool)m!["heldOut"]!).Select(m => (long)m!["customer"]!).ToHashSet());

        // A second campaign on the same segment draws only from who may be contacted: the first one's control group is not in it.
        var second = Campaign(0.2);
        second["key"] = "second-wave";
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/campaigns", second)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/v1/campaigns/second-wave/launch", null)).StatusCode);
        var wave = await db.CampaignMembers.Where(m => db.Campaigns.Any(c => c.Id == m.CampaignId && c.Key == "second-wave")).Select(m => m.CustomerId).ToListAsync();
        Assert.Equal(treated, wave.ToHashSet());
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync("/api/v1/campaigns/second-wave/end", null)).StatusCode);

        // The campaign reaches the treated group; every control member cancels; the treated promote, the control detract.
        var now = DateTime.UtcNow;
        var emails = await db.Identities.Where(i => i.Kind == "email").ToDictionaryAsync(i => i.CustomerId, i => i.Value);
        var after = new List<JsonObject>();
        foreach (var id in treated)
        {
            after.Add(Touch($"sent-{id}", emails[id], now, "marketing", "email", "campaign.email.sent", new JsonObject { ["campaign"] = "thank-you" }));
            after.Add(Touch($"nps-{id}", emails[id], now, "other", "email", "survey.response", new JsonObject { ["survey"] = "nps", ["npsScore"] = 10 }));
        }

        foreach (var id in control)
        {
            after.Add(Touch($"cancel-{id}", emails[id], now, "sales", "web", "subscription.cancelled", null));
            after.Add(Touch($"nps-{id}", emails[id], now, "other", "email", "survey.response", new JsonObject { ["survey"] = "nps", ["npsScore"] = 0 }));
        }

        await PostEventsAsync(client, after);
        await host.Services.GetRequiredService<AnalyticsStore>().SyncAsync();
        var results = (await client.GetFromJsonAsync<JsonObject>("/api/v1/campaigns/thank-you/results"))!;
        var week = results["byWeek"]!.AsArray().Single()!;
        Assert.Equal((treated.Count, control.Count), ((int)week["treated"]!, (int)week["control"]!));
        var retention = Effect(week, "retention");
        Assert.Equal((100.0, 0.0, 100.0), ((double)retention["treated"]!, (double)retention["control"]!, (double)retention["uplift"]!));
        Assert.True((bool)retention["significant"]!);
        Assert.Equal(200.0, (double)Effect(week, "nps")["uplift"]!);
        Assert.Equal((long)treated.Count, (long)results["treatedReached"]!);
        Assert.Equal(0, (long)results["controlReached"]!);
        Assert.Contains("interim", results["warnings"]!.AsArray().Select(w => (string)w!["code"]!));
        Assert.DoesNotContain("controlContacted", results["warnings"]!.AsArray().Select(w => (string)w!["code"]!));

        // A control member who is sent the campaign anyway is caught.
        var leaked = control.First();
        await PostEventsAsync(client, [Touch("leak", emails[leaked], DateTime.UtcNow, "marketing", "email", "campaign.email.sent", new JsonObject { ["campaign"] = "thank-you" })]);
        await host.Services.GetRequiredService<AnalyticsStore>().SyncAsync();
        results = (await client.GetFromJsonAsync<JsonObject>("/api/v1/campaigns/thank-you/results"))!;
        Assert.Equal(1, (long)results["controlReached"]!);
        Assert.Contains("controlContacted", results["warnings"]!.AsArray().Select(w => (string)w!["code"]!));

        // Once launched the design is fixed; a running campaign cannot be deleted; ended, its control group is contactable again.
        var changed = Campaign(0.5);
        var refused = await client.PutAsJsonAsync("/api/v1/campaigns/thank-you", changed);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("controlShare", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, (await client.DeleteAsync("/api/v1/campaigns/thank-you")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync("/api/v1/campaigns/thank-you/end", null)).StatusCode);
        Assert.Equal(treated.Union(control).ToHashSet(), Ids(await client.GetStringAsync("/api/v1/segments/callers/export")));
        var ended = (await client.GetFromJsonAsync<JsonObject>("/api/v1/campaigns/thank-you/results"))!;
        Assert.Equal(100.0, (double)Effect(ended["byWeek"]![0]!, "retention")["uplift"]!);
        Assert.True(await db.AuditLog.AnyAsync(e => e.Action == "campaign.launch" && e.Target == "campaign:thank-you"));
        Assert.True(await db.AuditLog.AnyAsync(e => e.Action == "export" && e.Target == "campaign:thank-you"));

        // Another workspace sees none of it.
        var other = await host.ClientAsync("b");
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync("/api/v1/campaigns/thank-you/export")).StatusCode);
    }

    [Fact]
    public async Task Bad_hostile_and_huge_campaigns_are_refused_naming_the_field()
    {
        await using var host = await ApiHost.StartAsync("sqlite", new Dictionary<string, string?> { ["Kpis:Evaluate"] = "false" });
        var client = await host.ClientAsync("a");
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/segments", Callers)).StatusCode);

        foreach (var (field, value) in new (string, JsonNode?)[]
        {
            ("controlShare", 0.9), ("controlShare", 0), ("weeks", 53), ("kind", "spam"), ("segment", "no-such-segment"), ("key", "Robert'); DROP TABLE campaigns;--"),
            ("name", new string('n', 300)),
        })
        {
            var bad = Campaign();
            bad[field] = value;
            var response = await client.PostAsJsonAsync("/api/v1/campaigns", bad);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains(field, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // Entered baselines are checked field by field, and refused by their path.
        foreach (var (field, baselines) in new (string, JsonObject)[]
        {
            ("baselines.retention", new() { ["retention"] = 100 }),
            ("baselines.repeatPurchase", new() { ["repeatPurchase"] = -3 }),
            ("baselines.currency", new() { ["valueSd"] = 25 }),
            ("baselines.currency", new() { ["valueSd"] = 25, ["currency"] = "euros" }),
            ("baselines.valueSd", new() { ["valueSd"] = 0, ["currency"] = "EUR" }),
            ("baselines.promoters", new() { ["promoters"] = 40, ["detractors"] = 20 }),
            ("baselines.detractors", new() { ["promoters"] = 70, ["detractors"] = 40, ["npsResponse"] = 30 }),
            ("baselines.npsResponse", new() { ["promoters"] = 40, ["detractors"] = 20, ["npsResponse"] = 0 }),
        })
        {
            var bad = Campaign();
            bad["baselines"] = baselines;
            var response = await client.PostAsJsonAsync("/api/v1/campaigns/plan", bad);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains(field, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var typo = Campaign();
        typo["controlShar"] = 0.2;
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsJsonAsync("/api/v1/campaigns", typo)).StatusCode);
        var huge = new StringContent("{\"key\":\"x\",\"segment\":\"callers\",\"name\":\"" + new string('a', 200_000) + "\"}", Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync("/api/v1/campaigns", huge)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync("/api/v1/campaigns/plan", new StringContent("{\"key\":", Encoding.UTF8, "application/json"))).StatusCode);

        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/campaigns", Campaign())).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsJsonAsync("/api/v1/campaigns", Campaign())).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await client.GetAsync("/api/v1/campaigns/thank-you/results")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsync("/api/v1/campaigns/thank-you/end", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("/api/v1/campaigns/nope/launch", null)).StatusCode);

        // An empty audience is not launched, nor one too small to leave both groups something to compare.
        var empty = await client.PostAsync("/api/v1/campaigns/thank-you/launch", null);
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Contains("segment", await empty.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await PostEventsAsync(client, Enumerable.Range(0, 3).Select(i => Call($"few-{i}", Who(i), DateTime.UtcNow.Date.AddDays(-1))));
        await host.Services.GetRequiredService<AnalyticsStore>().SyncAsync();
        var tiny = await client.PostAsync("/api/v1/campaigns/thank-you/launch", null);
        Assert.Equal(HttpStatusCode.BadRequest, tiny.StatusCode);
        Assert.Contains("controlShare", await tiny.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Reading needs stats:read, the treated group's contacts customers:read, changing programme:write.
        var stats = await host.ClientAsync("a", Scopes.StatsRead);
        Assert.Equal(HttpStatusCode.OK, (await stats.GetAsync("/api/v1/campaigns/thank-you")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await stats.PostAsync("/api/v1/campaigns/thank-you/launch", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await stats.GetAsync("/api/v1/campaigns/thank-you/export")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/api/v1/campaigns/thank-you")).StatusCode);
    }

    private static string Who(int i) => "m" + i.ToString("000", CultureInfo.InvariantCulture);

    private static JsonNode Effect(JsonNode week, string outcome) => week["effects"]!.AsArray().Single(e => (string)e!["outcome"]! == outcome)!;

    private static HashSet<long> Ids(string csv) =>
        [.. csv.TrimEnd().Split("\r\n").Skip(1).Select(line => long.Parse(line.Split(',')[0], CultureInfo.InvariantCulture))];

    private static JsonObject Touch(string id, string email, DateTime at, string department, string channel, string type, JsonObject? attributes)
    {
        var e = new JsonObject
        {
            ["id"] = id, ["customer"] = new JsonObject { ["email"] = email }, ["occurredAt"] = at.ToString("O", CultureInfo.InvariantCulture),
            ["department"] = department, ["channel"] = channel, ["type"] = type,
        };
        if (attributes is not null)
        {
            e["attributes"] = attributes;
        }

        return e;
    }
}
