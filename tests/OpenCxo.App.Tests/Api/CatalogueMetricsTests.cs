using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenCxo.App.Text;
using OpenCxo.Testing;

namespace OpenCxo.App.Tests.Api;

/// <summary>
/// Issue 6: catalogue metrics on a fixture small enough to compute by hand, per time bucket and slice, on both
/// databases. Intervals: Wilson (Newcombe 1998, method 3) and Student t with the quantile from a table.
/// </summary>
public sealed class CatalogueMetricsTests
{
    public static IEnumerable<object[]> Providers => TestDatabases.Providers;

    private static JsonObject Event(string id, string at, string email, string department, string team, int? handle, string? text = null, bool? resolved = null)
    {
        var attributes = new JsonObject { ["team"] = team };
        if (handle is { } seconds)
        {
            attributes["handleSeconds"] = seconds;
        }

        if (resolved is { } firstContact)
        {
            attributes["firstContactResolution"] = firstContact;
        }

        var e = new JsonObject
        {
            ["id"] = id, ["customer"] = new JsonObject { ["email"] = email }, ["occurredAt"] = at, ["department"] = department, ["channel"] = "phone",
            ["type"] = "call.completed", ["attributes"] = attributes,
        };
        if (text is not null)
        {
            e["text"] = text;
        }

        return e;
    }

    private static JsonObject Order(string id, string at, string email) => new()
    {
        ["id"] = id, ["customer"] = new JsonObject { ["email"] = email }, ["occurredAt"] = at, ["department"] = "sales", ["channel"] = "web",
        ["type"] = "order.placed", ["value"] = 49, ["currency"] = "EUR",
    };

    private static async Task<HttpClient> FixtureAsync(ApiHost host)
    {
        var client = await host.ClientAsync("a");
        // Handle times 100, 300 (team L1) and 200, 400 (team L2). Service at 10:00 Monday, 22:00 Monday, noon Saturday,
        // 07:00 Tuesday: three of four after hours. A marketing touchpoint at 23:00 is not service.
        JsonObject[] events =
        [
            Event("h1", "2026-03-02T10:00:00Z", "a@example.com", "service", "L1", 100, "El técnico fue muy amable, excelente", resolved: true),
            Event("h2", "2026-03-02T22:00:00Z", "b@example.com", "service", "L2", 200, "Fatal, me han cobrado dos veces la factura"),
            Event("h3", "2026-03-07T12:00:00Z", "a@example.com", "service", "L1", 300, resolved: true),
            Event("h4", "2026-03-10T07:00:00Z", "c@example.com", "service", "L2", 400, resolved: false),
            Event("m1", "2026-03-10T23:00:00Z", "d@example.com", "marketing", "growth", null),
            Order("o1", "2026-03-11T09:00:00Z", "a@example.com"),
            Order("o2", "2026-03-12T09:00:00Z", "a@example.com"),
            Order("o3", "2026-03-11T10:00:00Z", "b@example.com"),
        ];
        var response = await client.PostAsJsonAsync("/api/v1/events", new JsonObject { ["events"] = new JsonArray([.. events.Select(e => (JsonNode)e)]) });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        await host.Services.GetRequiredService<TextAnalysisJob>().CatchUpAsync(default);
        return client;
    }

    private static async Task<JsonArray> PointsAsync(HttpClient client, string metric, string query = "")
    {
        var report = await client.GetFromJsonAsync<JsonObject>($"/api/v1/metrics/{metric}?from=2026-03-01&to=2026-03-31{query}");
        return report!["points"]!.AsArray();
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Handle_time_after_hours_and_active_customers_match_the_hand_computation(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var client = await FixtureAsync(host);

        // Mean 250, s = √(50000/3) = 129.0994, t(3; 0.975) = 3.182446 (Student's table): 250 ± 205.4236.
        var handle = Assert.Single(await PointsAsync(client, "average_handle_time"))!;
        Assert.Equal(250, (double)handle["value"]!, 6);
        Assert.Equal(250 - (3.182446305 * Math.Sqrt(50000.0 / 3) / 2), (double)handle["low"]!, 3);
        Assert.Equal(250 + (3.182446305 * Math.Sqrt(50000.0 / 3) / 2), (double)handle["high"]!, 3);
        Assert.Equal((4, true), ((int)handle["n"]!, (bool)handle["small"]!));
        var byTeam = await PointsAsync(client, "average_handle_time", "&by=team");
        Assert.Equal([("L1", 200.0), ("L2", 300.0)], byTeam.Select(p => ((string)p!["key"]!, (double)p["value"]!)));

        // 3 of 4 service touchpoints after hours: 75 %, Wilson's interval at z = 1.96.
        var after = Assert.Single(await PointsAsync(client, "after_hours_share"))!;
        const double z = 1.959963984540054;
        double n = 4, p = 0.75;
        var centre = (p + z * z / (2 * n)) / (1 + z * z / n);
        var half = z / (1 + z * z / n) * Math.Sqrt(p * (1 - p) / n + z * z / (4 * n * n));
        Assert.Equal(75, (double)after["value"]!, 6);
        Assert.Equal(100 * (centre - half), (double)after["low"]!, 3);
        Assert.Equal(100 * (centre + half), (double)after["high"]!, 3);

        // Distinct customers: a and b the ISO week of 2 March (a twice, the Saturday included); c, d and the two buyers a
        // and b the week of 9 March. Counts have no interval.
        var weekly = await PointsAsync(client, "active_customers", "&granularity=week");
        Assert.Equal([("2026-03-02", 2L), ("2026-03-09", 4L)], weekly.Select(p => ((string)p!["bucket"]!, (long)p["value"]!)));
        Assert.All(weekly, p => Assert.Null(p!["low"]));
        var byDepartment = await PointsAsync(client, "active_customers", "&by=department");
        Assert.Equal([("marketing", 1L), ("sales", 2L), ("service", 3L)], byDepartment.Select(p => ((string)p!["key"]!, (long)p["value"]!)));

        // Service contacts per customer: a 2, b 1, c 1. Mean 4/3, s = √(1/3), t(2; 0.975) = 4.302653: 4/3 ± 1.434218.
        var contacts = Assert.Single(await PointsAsync(client, "contacts_per_customer"))!;
        Assert.Equal(4.0 / 3, (double)contacts["value"]!, 3);
        Assert.Equal(4.0 / 3 + (4.302652730 * Math.Sqrt(1.0 / 3) / Math.Sqrt(3)), (double)contacts["high"]!, 3);
        Assert.Equal(3, (int)contacts["n"]!);

        // First-contact resolution: three contacts say (two yes, one no); the fourth says nothing and is not counted.
        var resolution = Assert.Single(await PointsAsync(client, "first_contact_resolution"))!;
        Assert.Equal(200.0 / 3, (double)resolution["value"]!, 3);
        Assert.Equal(3, (int)resolution["n"]!);
        var resolvedByTeam = await PointsAsync(client, "first_contact_resolution", "&by=team");
        Assert.Equal([("L1", 100.0), ("L2", 0.0)], resolvedByTeam.Select(p => ((string)p!["key"]!, (double)p["value"]!)));

        // Orders: a two, b one: one of two buyers bought again.
        var repeat = Assert.Single(await PointsAsync(client, "repeat_purchase_rate"))!;
        Assert.Equal((50.0, 2), ((double)repeat["value"]!, (int)repeat["n"]!));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Text_metrics_agree_with_the_stored_analyses_and_split_by_theme(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var client = await FixtureAsync(host);
        List<double> stored;
        await using (var db = host.Factory.CreateDbContext())
        {
            stored = await db.TextAnalyses.Select(a => a.Sentiment).ToListAsync();
        }

        Assert.Equal(2, stored.Count);
        var sentiment = Assert.Single(await PointsAsync(client, "sentiment"))!;
        Assert.Equal(stored.Average(), (double)sentiment["value"]!, 4);
        var negative = Assert.Single(await PointsAsync(client, "negative_feedback_share"))!;
        Assert.Equal(100.0 * stored.Count(s => s <= -0.05) / stored.Count, (double)negative["value"]!, 6);

        // By a customer attribute nobody has: one slice without a key, with every text (the text tables reach the
        // live profile through the merge map, not the touchpoints' live_id).
        var byAttribute = Assert.Single(await PointsAsync(client, "sentiment", "&by=customer.attr.plan"))!;
        Assert.Null(byAttribute["key"]);
        Assert.Equal(stored.Average(), (double)byAttribute["value"]!, 4);

        var byTheme = (await PointsAsync(client, "negative_feedback_share", "&by=theme")).ToDictionary(p => (string)p!["key"]!, p => (double)p!["value"]!);
        Assert.Equal(100, byTheme["billing"], 6);
        Assert.Equal(0, byTheme["staff_attitude"], 6);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task The_catalogue_lists_every_metric_and_bad_requests_name_the_parameter(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var client = await host.ClientAsync("a");

        var catalogue = (await client.GetFromJsonAsync<JsonArray>("/api/v1/metrics"))!;
        var names = catalogue.Select(m => (string)m!["name"]!).ToList();
        Assert.Equal(
            ["nps", "csat", "ces", "sentiment", "negative_feedback_share", "active_customers", "repeat_purchase_rate", "retention_rate", "churn_rate",
             "cohort_retention", "tenure", "lifetime_value_to_date", "referral_volume", "campaign_reach", "lead_conversion", "time_to_convert",
             "cost_per_acquisition", "contacts_per_customer", "first_contact_resolution", "average_handle_time", "after_hours_share", "repeat_contact_7d",
             "time_to_resolve", "sla_attainment", "revenue", "revenue_at_risk"],
            names);
        Assert.All(catalogue, m => Assert.False(string.IsNullOrWhiteSpace((string?)m!["formula"]!["es"])));

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/v1/metrics/happiness")).StatusCode);
        foreach (var (query, field) in new[]
        {
            ("granularity=hour", "granularity"), ("by=planet", "by"), ("by=theme", "by"), ("from=2026-02-30", "from"), ("confidence=1.5", "confidence"),
            ("channel=fax", "channel"), ("by=customer.attr.", "by"),
        })
        {
            var response = await client.GetAsync("/api/v1/metrics/average_handle_time?" + query);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains(field, (await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject().Select(e => e.Key));
        }
    }
}
