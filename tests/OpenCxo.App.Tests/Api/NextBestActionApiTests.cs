using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OpenCxo.Testing;

namespace OpenCxo.App.Tests.Api;

/// <summary>
/// Issue 7: next best actions through the API on both databases — rules edited whole and refused by place, a
/// detractor with an open ticket sent to service, and no offer ever made to a customer who opted out (by link, by
/// withheld marketing consent, or under a profile since merged) or anything to one marked do-not-contact.
/// </summary>
public sealed class NextBestActionApiTests
{
    public static IEnumerable<object[]> Providers => TestDatabases.Providers;

    private static readonly DateTime Start = new(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc);

    private static JsonObject Touch(string id, int day, JsonObject customer, string department, string channel, string type, JsonObject? attributes = null)
    {
        var e = new JsonObject
        {
            ["id"] = id, ["customer"] = customer, ["occurredAt"] = Start.AddDays(day).ToString("O", CultureInfo.InvariantCulture), ["department"] = department,
            ["channel"] = channel, ["type"] = type,
        };
        if (attributes is not null)
        {
            e["attributes"] = attributes;
        }

        return e;
    }

    private static JsonObject Email(string name, JsonObject? attributes = null)
    {
        var customer = new JsonObject { ["email"] = name + "@example.com" };
        if (attributes is not null)
        {
            customer["attributes"] = attributes;
        }

        return customer;
    }

    private static JsonObject Nps(string id, int day, JsonObject customer, int score) =>
        Touch(id, day, customer, "other", "email", "survey.response", new JsonObject { ["survey"] = "nps", ["npsScore"] = score });

    private static async Task PostAsync(HttpClient client, params JsonObject[] events)
    {
        var response = await client.PostAsJsonAsync("/api/v1/events", new JsonObject { ["events"] = new JsonArray([.. events.Select(e => (JsonNode)e)]) });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<long> IdAsync(HttpClient client, string query) =>
        (long)(await client.GetFromJsonAsync<JsonObject>("/api/v1/customers?" + query))!["id"]!;

    private static async Task<JsonObject> ActionsAsync(HttpClient client, long id) =>
        (await client.GetFromJsonAsync<JsonObject>($"/api/v1/customers/{id}/next-best-action"))!;

    private static List<string> Rules(JsonObject actions) => [.. actions["actions"]!.AsArray().Select(a => (string)a!["rule"]!)];

    [Theory, MemberData(nameof(Providers))]
    public async Task Detractors_with_open_problems_go_to_service_and_opted_out_customers_get_no_offer(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var client = await host.ClientAsync("a", "events:write", "customers:read", "stats:read", "kpis:write", "surveys:write", "privacy:write");

        // An offer for every promoter, a service action for every detractor: rules that need no model run.
        var put = await client.PutAsJsonAsync("/api/v1/next-best-actions/rules", JsonNode.Parse("""
            {"rules": [
              {"key": "thank-promoter", "name": "Thank and ask for a review", "department": "marketing", "kind": "offer",
               "when": [{"field": "npsCategory", "op": "=", "value": "promoter"}], "riskReduction": 0, "uplift": 0.02, "cost": 1},
              {"key": "service-recovery", "name": "Call back", "department": "service", "kind": "service",
               "when": [{"field": "npsCategory", "op": "=", "value": "detractor"}, {"field": "openProblems", "op": ">=", "value": 1}],
               "riskReduction": 0.3, "uplift": 0, "cost": 15}
            ]}
            """));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        await PostAsync(
            client,
            // Ana: a detractor whose ticket is still open and whom nobody contacted since she answered: two open problems.
            // Berta: a detractor whose ticket was resolved and who was called after she answered: none.
            Touch("a1", 1, Email("ana"), "service", "phone", "ticket.opened", new JsonObject { ["ticketId"] = "T1" }),
            Nps("a2", 3, Email("ana"), 2),
            Touch("b1", 1, Email("berta"), "service", "phone", "ticket.opened", new JsonObject { ["ticketId"] = "T2" }),
            Touch("b2", 2, Email("berta"), "service", "phone", "ticket.resolved", new JsonObject { ["ticketId"] = "T2" }),
            Nps("b3", 3, Email("berta"), 2),
            Touch("b4", 4, Email("berta"), "service", "phone", "call.completed"),
            // Hugo: called on day 1, then a post-support survey (a service answer) as a detractor: that answer is no
            // follow-up of itself, so one open problem.
            Touch("h1", 1, Email("hugo"), "service", "phone", "call.completed"),
            Touch("h2", 3, Email("hugo"), "service", "email", "survey.response", new JsonObject { ["survey"] = "nps", ["npsScore"] = 1 }),
            // Promoters: Carla as she is; Dora withheld marketing consent; Eva is do-not-contact; Flor opts out below.
            Nps("c1", 3, Email("carla"), 10),
            Nps("d1", 3, Email("dora", new JsonObject { ["marketingConsent"] = "no" }), 9),
            Nps("e1", 3, Email("eva", new JsonObject { ["doNotContact"] = true }), 10),
            Nps("f1", 3, Email("flor"), 10),
            // Gema answered as a phone-only profile, which opts out, and is merged into her e-mail profile later.
            Nps("g1", 3, new JsonObject { ["phone"] = "+34600000009" }, 10),
            Touch("g2", 4, Email("gema"), "product", "app", "app.session"));

        var flor = await IdAsync(client, "email=flor@example.com");
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync($"/api/v1/customers/{flor}/survey-opt-out", null)).StatusCode);
        var gemaPhone = await IdAsync(client, "phone=%2B34600000009");
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync($"/api/v1/customers/{gemaPhone}/survey-opt-out", null)).StatusCode);
        await PostAsync(client, Touch("g3", 5, new JsonObject { ["email"] = "gema@example.com", ["phone"] = "+34600000009" }, "product", "app", "app.session"));

        var ana = await ActionsAsync(client, await IdAsync(client, "email=ana@example.com"));
        Assert.Equal(["service-recovery"], Rules(ana));
        var recovery = ana["actions"]![0]!;
        Assert.Equal("service", (string)recovery["department"]!);
        Assert.Equal(["detractor", "2 open problems"], recovery["reasons"]!.AsArray().Select(r => (string)r!));
        // No model run: no lifetime value, so the value kept is nothing and the cost remains.
        Assert.Equal(-15, (double)recovery["expectedValue"]!);
        Assert.Equal(2, (int)ana["state"]!["openProblems"]!);
        Assert.Null(ana["modelRun"]);

        Assert.Empty(Rules(await ActionsAsync(client, await IdAsync(client, "email=berta@example.com"))));
        var hugo = await ActionsAsync(client, await IdAsync(client, "email=hugo@example.com"));
        Assert.Equal(["service-recovery"], Rules(hugo));
        Assert.Equal(1, (int)hugo["state"]!["openProblems"]!);
        Assert.Equal(["thank-promoter"], Rules(await ActionsAsync(client, await IdAsync(client, "email=carla@example.com"))));
        var dora = await ActionsAsync(client, await IdAsync(client, "email=dora@example.com"));
        Assert.Empty(Rules(dora));
        Assert.StartsWith("opted out", (string)dora["blocked"]!, StringComparison.Ordinal);
        var eva = await ActionsAsync(client, await IdAsync(client, "email=eva@example.com"));
        Assert.Empty(Rules(eva));
        Assert.Equal("do not contact", (string)eva["blocked"]!);
        Assert.Empty(Rules(await ActionsAsync(client, flor)));
        // The merged profile answers for the survivor, which carries the opt-out given under the absorbed one.
        var gema = await ActionsAsync(client, gemaPhone);
        Assert.Empty(Rules(gema));
        Assert.NotNull(gema["blocked"]);

        // Worklists: each customer once, under the department of their best action.
        var marketing = (await client.GetFromJsonAsync<JsonObject>("/api/v1/next-best-actions?department=marketing"))!;
        Assert.Equal(1, (long)marketing["total"]!);
        Assert.Equal(await IdAsync(client, "email=carla@example.com"), (long)marketing["items"]![0]!["customer"]!);
        var service = (await client.GetFromJsonAsync<JsonObject>("/api/v1/next-best-actions?department=service&limit=1&offset=0"))!;
        Assert.Equal(2, (long)service["total"]!);
        Assert.Single(service["items"]!.AsArray());
        Assert.Equal("service-recovery", (string)service["items"]![0]!["action"]!["rule"]!);
        Assert.Equal(0, (long)(await client.GetFromJsonAsync<JsonObject>("/api/v1/next-best-actions?department=sales"))!["total"]!);

        // Carla refuses marketing through the privacy API: no offer from the next page on; granting it again brings her back.
        var carla = await IdAsync(client, "email=carla@example.com");
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync($"/api/v1/customers/{carla}/consents/marketing", new { granted = false })).StatusCode);
        Assert.Empty((await client.GetFromJsonAsync<JsonObject>("/api/v1/next-best-actions?department=marketing"))!["items"]!.AsArray());
        Assert.StartsWith("opted out", (string)(await ActionsAsync(client, carla))["blocked"]!, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync($"/api/v1/customers/{carla}/consents/marketing", new { granted = true })).StatusCode);
        Assert.Equal(1, (long)(await client.GetFromJsonAsync<JsonObject>("/api/v1/next-best-actions?department=marketing"))!["total"]!);

        // Carla opts out after the worklist was ranked: the next page served leaves her out at once.
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync($"/api/v1/customers/{carla}/survey-opt-out", null)).StatusCode);
        Assert.Empty((await client.GetFromJsonAsync<JsonObject>("/api/v1/next-best-actions?department=marketing"))!["items"]!.AsArray());
        Assert.Empty(Rules(await ActionsAsync(client, carla)));

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/v1/customers/999999/next-best-action")).StatusCode);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Bad_rules_are_refused_by_place_and_nothing_is_saved(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var client = await host.ClientAsync("a", "customers:read", "stats:read", "kpis:write");
        var defaults = (await client.GetFromJsonAsync<JsonObject>("/api/v1/next-best-actions/rules"))!["rules"]!.AsArray();
        Assert.Equal(["service-recovery", "retention-offer", "referral-ask", "upsell"], defaults.Select(r => (string)r!["key"]!));
        Assert.Equal("p90", (string)defaults[1]!["when"]![0]!["value"]!);

        async Task<JsonObject> RefusedAsync(string body)
        {
            var response = await client.PutAsync("/api/v1/next-best-actions/rules", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        }

        var errors = (await RefusedAsync("""
            {"rules": [
              {"key": "ok", "name": "fine", "department": "sales", "kind": "offer", "when": [{"field": "churnRisk", "op": "<", "value": "p50"}], "riskReduction": 0, "uplift": 0.1, "cost": 1},
              {"key": "ok", "name": "clash", "department": "finance", "kind": "gift", "when": [{"field": "shoeSize", "op": ">", "value": 40}], "riskReduction": 0, "uplift": 0, "cost": 0},
              {"key": "x", "name": "x", "department": "sales", "kind": "offer", "when": [{"field": "churnRisk", "op": ">", "value": {"a": 1}}], "riskReduction": 0, "uplift": 0, "cost": 0},
              null
            ]}
            """))["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("rules[1].kind"), errors.ToJsonString());
        Assert.True(errors.ContainsKey("rules[2].when[0].value"), errors.ToJsonString());
        Assert.True(errors.ContainsKey("rules[3]"), errors.ToJsonString());
        var second = (await RefusedAsync("""
            {"rules": [
              {"key": "ok", "name": "fine", "department": "sales", "kind": "offer", "when": [{"field": "churnRisk", "op": "<", "value": "p50"}], "riskReduction": 0, "uplift": 0.1, "cost": 1},
              {"key": "ok", "name": "clash", "department": "finance", "kind": "offer", "when": [{"field": "shoeSize", "op": ">", "value": 40}], "riskReduction": 2, "uplift": 0, "cost": 0}
            ]}
            """))["errors"]!.AsObject();
        Assert.Equal(["rules[1].department", "rules[1].key", "rules[1].riskReduction", "rules[1].when[0].field"], second.Select(e => e.Key).Order(StringComparer.Ordinal));
        Assert.True((await RefusedAsync("""{"rules": null}""" ))["errors"]!.AsObject().ContainsKey("rules"));
        await RefusedAsync("""{"rules": [{"key": 5}]}""");
        // A wrong type and a missing number are named by their place; an offer cannot be called a service action.
        Assert.True((await RefusedAsync("""{"rules": [{"key": "a", "name": "a", "department": "sales", "kind": "offer", "when": [], "riskReduction": 0, "uplift": 0, "cost": "15"}]}"""))["errors"]!.AsObject().ContainsKey("rules[0].cost"));
        var missing = (await RefusedAsync("""
            {"rules": [{"key": "a", "name": "a", "department": "marketing", "kind": "service", "when": [{"field": "lastNps", "op": ">=", "value": 9}], "riskReduction": 0, "cost": 1}]}
            """))["errors"]!.AsObject();
        Assert.Equal(["rules[0].kind", "rules[0].uplift"], missing.Select(e => e.Key).Order(StringComparer.Ordinal));
        await RefusedAsync("not json");
        await RefusedAsync("{\"rules\": [" + string.Join(',', Enumerable.Range(0, 51).Select(i =>
            $$"""{"key": "r{{i}}", "name": "n", "department": "sales", "kind": "offer", "when": [{"field": "lastNps", "op": ">=", "value": 9}], "riskReduction": 0, "uplift": 0, "cost": 0}""")) + "]}");

        // Nothing was saved: the built-in rules still apply.
        var after = (await client.GetFromJsonAsync<JsonObject>("/api/v1/next-best-actions/rules"))!["rules"]!.AsArray();
        Assert.Equal(defaults.ToJsonString(), after.ToJsonString());

        foreach (var (query, field) in new[] { ("", "department"), ("department=finance", "department"), ("department=sales&limit=0", "limit"), ("department=sales&limit=501", "limit"), ("department=sales&offset=-1", "offset") })
        {
            var response = await client.GetAsync("/api/v1/next-best-actions?" + query);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.True((await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject().ContainsKey(field), query);
        }

        var reader = await host.ClientAsync("a", "stats:read");
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PutAsJsonAsync("/api/v1/next-best-actions/rules", new JsonObject { ["rules"] = new JsonArray() })).StatusCode);
    }
}
