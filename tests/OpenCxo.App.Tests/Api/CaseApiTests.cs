using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OpenCxo.App.Cases;
using OpenCxo.App.Text;
using OpenCxo.Testing;

namespace OpenCxo.App.Tests.Api;

/// <summary>
/// Issue 8, closing the loop: detractor, low-CSAT and flagged-text cases opened once per trigger however often the
/// event is sent or the opener runs (also two at once), routed to the team that last served the customer or in turn,
/// worked through their states, and escalated when the SLA passes (a clock the test moves); on both databases.
/// </summary>
public sealed class CaseApiTests
{
    public static IEnumerable<object[]> Providers => TestDatabases.Providers;

    private static readonly Dictionary<string, string?> Manual = new() { ["Cases:Run"] = "false" };

    /// <summary>NPS answers under a rule for 4 or less: 1, 2 and 0 open cases, 5 does not.</summary>
    private static readonly int[] RoundRobinScores = [1, 5, 2, 0];

    private static JsonObject Touch(string id, DateTime at, string email, string department, string channel, string type, JsonObject? attributes = null, string? text = null)
    {
        var e = new JsonObject
        {
            ["id"] = id, ["customer"] = new JsonObject { ["email"] = email }, ["occurredAt"] = at.ToString("O", CultureInfo.InvariantCulture), ["department"] = department,
            ["channel"] = channel, ["type"] = type,
        };
        if (attributes is not null)
        {
            e["attributes"] = attributes;
        }

        if (text is not null)
        {
            e["text"] = text;
        }

        return e;
    }

    private static JsonObject Answer(string id, DateTime at, string email, string score, int value) =>
        Touch(id, at, email, "service", "email", "survey.response", new JsonObject { ["survey"] = score == "npsScore" ? "nps" : "csat", [score] = value });

    private static async Task PostAsync(HttpClient client, params JsonObject[] events)
    {
        var response = await client.PostAsJsonAsync("/api/v1/events", new JsonObject { ["events"] = new JsonArray([.. events.Select(e => (JsonNode)e)]) });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<JsonObject> SweepAsync(HttpClient client)
    {
        var response = await client.PostAsync("/api/v1/cases/sweep", null);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private static async Task<List<JsonNode>> CasesAsync(HttpClient client, string query = "") =>
        [.. (await client.GetFromJsonAsync<JsonObject>("/api/v1/cases?limit=200" + query))!["items"]!.AsArray().Select(c => c!)];

    [Theory, MemberData(nameof(Providers))]
    public async Task Each_trigger_opens_one_case_routed_to_the_team_that_last_served_the_customer(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider, Manual);
        var client = await host.ClientAsync("a");
        var day = new DateTime(2026, 3, 2, 9, 0, 0, DateTimeKind.Utc);
        JsonObject[] events =
        [
            // Ana: served by L1 then L2, then a detractor: the case goes to L2.
            Touch("a1", day, "ana@example.com", "service", "phone", "call.completed", new JsonObject { ["team"] = "L1" }),
            Touch("a2", day.AddHours(2), "ana@example.com", "service", "chat", "chat.completed", new JsonObject { ["team"] = "L2" }),
            Answer("a3", day.AddHours(5), "ana@example.com", "npsScore", 3),
            // Berta: CSAT 1 with no service history: to the service queue, no team. Carla: CSAT 4 and NPS 9: no case.
            Answer("b1", day.AddHours(6), "berta@example.com", "csatScore", 1),
            Answer("c1", day.AddHours(6), "carla@example.com", "csatScore", 4),
            Answer("c2", day.AddHours(7), "carla@example.com", "npsScore", 9),
            // Dora writes that she is leaving.
            Touch("d1", day.AddHours(8), "dora@example.com", "service", "chat", "ticket.opened", text: "Quiero darme de baja ya, me voy a la competencia."),
            // Olga's detractor answer is two months older than the rest: history, not a case.
            Answer("o1", day.AddDays(-60), "olga@example.com", "npsScore", 0),
        ];
        await PostAsync(client, events);
        await host.Services.GetRequiredService<TextAnalysisJob>().CatchUpAsync(default);

        var first = await SweepAsync(client);
        Assert.Equal(3, (int)first["opened"]!);
        // The same events again (a retry), and another sweep: nothing new.
        await PostAsync(client, [.. events.Select(e => (JsonObject)e.DeepClone())]);
        Assert.Equal(0, (int)(await SweepAsync(client))["opened"]!);

        var cases = await CasesAsync(client);
        Assert.Equal(3, cases.Count);
        var ana = cases.Single(c => (string)c["rule"]! == "detractor");
        Assert.Equal(("service", "L2", "normal", "new"), ((string)ana["department"]!, (string?)ana["team"], (string)ana["priority"]!, (string)ana["status"]!));
        Assert.Equal("NPS 3 by email", (string)ana["reason"]!);
        Assert.Equal(TimeSpan.FromHours(48), DateTime.Parse((string)ana["dueAt"]!, CultureInfo.InvariantCulture) - DateTime.Parse((string)ana["openedAt"]!, CultureInfo.InvariantCulture));
        var berta = cases.Single(c => (string)c["rule"]! == "low-csat");
        Assert.Null(berta["team"]);
        Assert.Equal("high", (string)berta["priority"]!);
        var dora = cases.Single(c => (string)c["rule"]! == "churn-or-legal");
        Assert.Equal(("urgent", "churn intent in ticket.opened by chat"), ((string)dora["priority"]!, (string)dora["reason"]!));

        // Two openers at once over new answers: still one case each.
        await PostAsync(client, [.. Enumerable.Range(0, 40).Select(i => Answer($"n{i}", day.AddDays(1).AddMinutes(i), $"n{i}@example.com", "npsScore", i % 7))]);
        var a = new CaseService(host.Factory, TimeProvider.System);
        var b = new CaseService(host.Factory, TimeProvider.System);
        var passes = await Task.WhenAll(a.RunAsync(default), b.RunAsync(default));
        Assert.Equal(40, passes.Sum(p => p.Opened));
        Assert.Equal(43, (await CasesAsync(client)).Count);

        // Filters and bad queries.
        Assert.Single(await CasesAsync(client, "&team=L2"));
        Assert.Equal(43, (await CasesAsync(client, "&status=open&department=service")).Count);
        foreach (var (query, field) in new[] { ("status=lost", "status"), ("department=finance", "department"), ("limit=0", "limit"), ("overdue=maybe", "overdue"), ("customer=x", "customer") })
        {
            var response = await client.GetAsync("/api/v1/cases?" + query);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.True((await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject().ContainsKey(field), query);
        }
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_case_moves_through_its_states_and_is_escalated_once_when_the_sla_passes(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider, Manual);
        var client = await host.ClientAsync("a");
        var clock = new ManualClock(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
        var cases = new CaseService(host.Factory, clock);
        await PostAsync(client, Answer("x1", clock.GetUtcNow().UtcDateTime, "eva@example.com", "npsScore", 2), Answer("x2", clock.GetUtcNow().UtcDateTime, "fran@example.com", "npsScore", 1));
        Assert.Equal(2, (await cases.RunAsync(default)).Opened);
        var list = await CasesAsync(client);
        var evaCustomer = (long)(await client.GetFromJsonAsync<JsonObject>("/api/v1/customers?email=eva@example.com"))!["id"]!;
        var eva = (long)list.Single(c => (long)c["customerId"]! == evaCustomer)["id"]!;
        var fran = (long)list.Single(c => (long)c["id"]! != eva)["id"]!;

        // 47 hours on, nothing is overdue; at 49 hours both are, and each is escalated once.
        clock.Now += TimeSpan.FromHours(47);
        Assert.Equal(0, (await cases.RunAsync(default)).Escalated);
        clock.Now += TimeSpan.FromHours(2);
        Assert.Equal(2, (await cases.RunAsync(default)).Escalated);
        Assert.Equal(0, (await cases.RunAsync(default)).Escalated);
        var escalated = (await cases.GetAsync(1, eva, default))!;
        Assert.Equal("service lead", escalated.Case.EscalatedTo);
        Assert.True(escalated.Case.Overdue);
        Assert.Contains(escalated.Notes, n => n.Kind == "escalation" && n.Text.Contains("escalated to service lead", StringComparison.Ordinal));

        // Contacted, then resolved with a root cause; a resolved case takes no more steps.
        var contact = await client.PostAsJsonAsync($"/api/v1/cases/{eva}/contact", new { note = "Llamada: cobro doble" });
        Assert.True(contact.IsSuccessStatusCode, await contact.Content.ReadAsStringAsync());
        var contacted = (await contact.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("contacted", (string)contacted["case"]!["status"]!);
        Assert.False((bool)contacted["case"]!["overdue"]!);
        var noCause = await client.PostAsJsonAsync($"/api/v1/cases/{eva}/resolve", new { note = "hecho" });
        Assert.Equal(HttpStatusCode.BadRequest, noCause.StatusCode);
        Assert.True((await noCause.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject().ContainsKey("rootCause"));
        var resolved = await client.PostAsJsonAsync($"/api/v1/cases/{eva}/resolve", new { rootCause = "billing-error" });
        Assert.Equal(HttpStatusCode.OK, resolved.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsync($"/api/v1/cases/{eva}/contact", null)).StatusCode);
        var detail = (await client.GetFromJsonAsync<JsonObject>($"/api/v1/cases/{eva}"))!;
        Assert.Equal(("resolved", "billing-error"), ((string)detail["case"]!["status"]!, (string)detail["case"]!["rootCause"]!));
        Assert.Equal(["status", "escalation", "status", "note", "status"], detail["notes"]!.AsArray().Select(n => (string)n!["kind"]!));
        // The closing is on the customer's timeline, for a follow-up survey rule on case.resolved to pick up.
        var timeline = (await client.GetFromJsonAsync<JsonObject>($"/api/v1/customers/{evaCustomer}/timeline?limit=10"))!["items"]!.AsArray();
        var closed = timeline.Single(t => (string)t!["type"]! == "case.resolved")!;
        Assert.Equal(("service", "billing-error"), ((string)closed["department"]!, (string)closed["attributes"]!["rootCause"]!));

        // A root cause belongs to a resolution only; an unknown field is named.
        var misplaced = await client.PostAsJsonAsync($"/api/v1/cases/{fran}/contact", new { rootCause = "price" });
        Assert.True((await misplaced.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject().ContainsKey("rootCause"));
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsJsonAsync($"/api/v1/cases/{fran}/notes", new { text = "x" })).StatusCode);

        // Not reachable straight from new; notes need text; unknown cases are 404.
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/v1/cases/{fran}/not-reachable", null)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsJsonAsync($"/api/v1/cases/{fran}/notes", new { note = " " })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsJsonAsync($"/api/v1/cases/{fran}/notes", new { note = 5 })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync($"/api/v1/cases/{fran}/notes", new { note = "Tres intentos sin respuesta" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("/api/v1/cases/999999/contact", null)).StatusCode);
        var reader = await host.ClientAsync("a", "customers:read");
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PostAsync($"/api/v1/cases/{fran}/contact", null)).StatusCode);
        // A sweep works for every workspace: admin only.
        var editor = await host.ClientAsync("a", "kpis:write");
        Assert.Equal(HttpStatusCode.Forbidden, (await editor.PostAsync("/api/v1/cases/sweep", null)).StatusCode);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Edited_rules_route_in_turn_and_bad_rules_are_refused_by_place(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider, Manual);
        var client = await host.ClientAsync("a");
        var settings = (await client.GetFromJsonAsync<JsonObject>("/api/v1/cases/settings"))!;
        Assert.Equal(["detractor", "low-csat", "churn-or-legal", "valuable-at-risk"], settings["rules"]!.AsArray().Select(r => (string)r!["key"]!));

        var put = await client.PutAsync("/api/v1/cases/settings", new StringContent("""
            {"rules": [{"key": "detractor", "name": "Call back", "trigger": "detractor", "department": "sales", "routing": "round-robin",
                        "owners": ["ana", "luis"], "slaHours": 8, "maxScore": 4, "escalateTo": "sales director"}],
             "rootCauses": ["price", "other"]}
            """, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var at = new DateTime(2026, 3, 2, 9, 0, 0, DateTimeKind.Utc);
        await PostAsync(client, [.. RoundRobinScores.Select((score, i) => Answer($"r{i}", at.AddMinutes(i), $"r{i}@example.com", "npsScore", score))]);
        Assert.Equal(3, (int)(await SweepAsync(client))["opened"]!);
        var owners = (await CasesAsync(client)).OrderBy(c => (long)c["id"]!).Select(c => (string)c["owner"]!).ToList();
        Assert.Equal(["ana", "luis", "ana"], owners);

        var bad = await client.PutAsync("/api/v1/cases/settings", new StringContent("""
            {"rules": [{"key": "x", "name": "x", "trigger": "mood", "department": "finance", "routing": "round-robin", "slaHours": 0},
                       {"key": "x", "name": "x", "trigger": "text-flag", "department": "service", "routing": "team", "slaHours": 1, "flags": ["angry"]}],
             "rootCauses": ["Price"]}
            """, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject().Select(e => e.Key).Order(StringComparer.Ordinal);
        Assert.Equal(["rootCauses", "rules[0].department", "rules[0].owners", "rules[0].slaHours", "rules[0].trigger", "rules[1].flags", "rules[1].key"], errors);
        var unknown = await client.PutAsync("/api/v1/cases/settings", new StringContent("""
            {"rules": [{"key": "x", "name": "x", "trigger": "churn-risk", "department": "sales", "routing": "department", "slaHours": 8, "riskPercentile": 90, "valuePercentile": 80}],
             "rootCauses": ["price"]}
            """, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(["rules[0].valuePercentile"], (await unknown.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject().Select(e => e.Key));
        var misspelt = await client.PutAsync("/api/v1/cases/settings", new StringContent("""{"rules": [{"key": "x", "enable": false}], "rootCauses": ["price"]}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, misspelt.StatusCode);
        var wrongType = await client.PutAsync("/api/v1/cases/settings", new StringContent("""{"rules": [{"key": "x", "slaHours": "8"}], "rootCauses": []}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.True((await wrongType.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject().ContainsKey("rules[0].slaHours"));
        // Nothing of the refused sets was saved.
        Assert.Equal(["price", "other"], (await client.GetFromJsonAsync<JsonObject>("/api/v1/cases/settings"))!["rootCauses"]!.AsArray().Select(c => (string)c!));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Loop_metrics_compare_contacted_detractors_with_those_nobody_reached(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider, Manual);
        var client = await host.ClientAsync("a");
        var clock = new ManualClock(new DateTimeOffset(2026, 1, 1, 10, 0, 0, TimeSpan.Zero));
        var cases = new CaseService(host.Factory, clock);
        var day = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        await PostAsync(client, [.. Enumerable.Range(0, 4).Select(i => Answer($"d{i}", day, $"d{i}@example.com", "npsScore", 2))]);
        Assert.Equal(4, (await cases.RunAsync(default)).Opened);
        var ids = new Dictionary<int, long>();
        foreach (var c in await CasesAsync(client))
        {
            var email = (string)(await client.GetFromJsonAsync<JsonObject>($"/api/v1/customers/{(long)c["customerId"]!}"))!["emails"]![0]!;
            ids[email[1] - '0'] = (long)c["id"]!;
        }

        // d0 reached after 5 h and resolved; d1 only after 60 h (past the 48 h SLA); d2 never, then closed as not
        // reachable; d3 never. At 49 h the three not yet reached are escalated.
        clock.Now += TimeSpan.FromHours(5);
        await cases.StepAsync(1, ids[0], "contact", null, null, "ana", default);
        clock.Now += TimeSpan.FromHours(1);
        await cases.StepAsync(1, ids[0], "resolve", "billing-error", null, "ana", default);
        clock.Now = clock.Now.AddHours(43);
        Assert.Equal(3, (await cases.RunAsync(default)).Escalated);
        clock.Now = clock.Now.AddHours(11);
        await cases.StepAsync(1, ids[1], "contact", null, null, "ana", default);
        clock.Now = clock.Now.AddHours(10);
        await cases.StepAsync(1, ids[2], "not-reachable", null, null, "ana", default);

        // What followed: next answers 9 (d0), 4 (d1), 8 (d2); d3 cancels within 90 days, d1 only after.
        var later = new DateTime(2026, 1, 20, 0, 0, 0, DateTimeKind.Utc);
        await PostAsync(
            client,
            Answer("n0", later, "d0@example.com", "npsScore", 9),
            Answer("n1", later, "d1@example.com", "npsScore", 4),
            Answer("n2", later, "d2@example.com", "npsScore", 8),
            Touch("c3", new DateTime(2026, 2, 1, 0, 0, 0, DateTimeKind.Utc), "d3@example.com", "sales", "web", "subscription.cancelled"),
            Touch("c1", new DateTime(2026, 6, 1, 0, 0, 0, DateTimeKind.Utc), "d1@example.com", "sales", "web", "subscription.cancelled"));

        clock.Now = new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);
        var metrics = new CaseMetrics(host.Factory, host.Services.GetRequiredService<OpenCxo.Data.Analytics.AnalyticsStore>(), clock);
        var report = await metrics.ReportAsync(1, new DateOnly(2026, 1, 1), new DateOnly(2026, 1, 31), default);
        Assert.Equal((4, 2, 3), (report.Opened, report.Closed, report.Escalated));
        Assert.Equal(50, report.ClosureRate!.Value, 9);
        Assert.Equal(25, report.SlaMet!.Value, 9);
        // First contacts after 5 h (d0) and 60 h (d1): median 32.5 h, 90th percentile 5 + 0.9 × 55 = 54.5 h.
        Assert.Equal((32.5, 54.5), (report.MedianHoursToFirstContact!.Value, report.P90HoursToFirstContact!.Value));
        Assert.Equal(3, report.Recovery.Answered);
        Assert.Equal((50.0, 2L), (report.Recovery.Contacted!.Value, report.Recovery.Contacted.N));
        Assert.Equal((100.0, 1L), (report.Recovery.NotContacted!.Value, report.Recovery.NotContacted.N));
        Assert.Equal(-50, report.Recovery.Difference!.Difference, 9);
        Assert.Equal(4, report.Cancellations.Cases);
        Assert.Equal((0.0, 50.0), (report.Cancellations.Contacted!.Value, report.Cancellations.NotContacted!.Value));

        // Before the 90 days have passed, no case counts for cancellations; the API reads the same report.
        var early = await new CaseMetrics(host.Factory, host.Services.GetRequiredService<OpenCxo.Data.Analytics.AnalyticsStore>(), new ManualClock(new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero)))
            .ReportAsync(1, new DateOnly(2026, 1, 1), new DateOnly(2026, 1, 31), default);
        Assert.Equal(0, early.Cancellations.Cases);
        var api = (await client.GetFromJsonAsync<JsonObject>("/api/v1/cases/metrics?from=2026-01-01&to=2026-01-31"))!;
        Assert.Equal(4, (long)api["opened"]!);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/v1/cases/metrics?from=2026-02-30")).StatusCode);
    }
}
