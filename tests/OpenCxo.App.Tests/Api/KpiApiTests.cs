using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenCxo.App.Kpis;
using OpenCxo.App.Security;
using OpenCxo.Core.Metrics;
using OpenCxo.Testing;

namespace OpenCxo.App.Tests.Api;

/// <summary>
/// Issue 6: KPIs and alerts through the API on both databases, on touchpoints dated relative to today so that the
/// rolling window and the last complete periods hold known figures. Wilson intervals as in Newcombe (1998), method 3.
/// </summary>
public sealed class KpiApiTests
{
    public static IEnumerable<object[]> Providers => TestDatabases.Providers;

    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow);

    private static string At(DateOnly day, int hour = 10) => day.ToDateTime(new TimeOnly(hour, 0), DateTimeKind.Utc).ToString("O", CultureInfo.InvariantCulture);

    private static JsonObject Call(string id, DateOnly day, string email, string team, int handle, bool? resolved = null, int? slaMinutes = null)
    {
        var attributes = new JsonObject { ["team"] = team, ["handleSeconds"] = handle };
        if (resolved is { } r)
        {
            attributes["firstContactResolution"] = r;
        }

        var customer = new JsonObject { ["email"] = email };
        if (slaMinutes is { } sla)
        {
            customer["attributes"] = new JsonObject { ["slaMinutes"] = sla };
        }

        return new JsonObject
        {
            ["id"] = id, ["customer"] = customer, ["occurredAt"] = At(day), ["department"] = "service", ["channel"] = "phone",
            ["type"] = "call.completed", ["attributes"] = attributes,
        };
    }

    private static async Task PostEventsAsync(HttpClient client, IEnumerable<JsonObject> events)
    {
        var response = await client.PostAsJsonAsync("/api/v1/events", new JsonObject { ["events"] = new JsonArray([.. events.Select(e => (JsonNode)e)]) });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Wilson's interval of k in n at 95 %, in %.</summary>
    private static (double Low, double High) Wilson(int k, int n)
    {
        const double z = 1.959963984540054;
        var p = (double)k / n;
        var centre = (p + (z * z / (2 * n))) / (1 + (z * z / n));
        var half = z / (1 + (z * z / n)) * Math.Sqrt((p * (1 - p) / n) + (z * z / (4.0 * n * n)));
        return (100 * (centre - half), 100 * (centre + half));
    }

    private static JsonObject Kpi(string key, string metric, JsonObject target, string? by = null, string? slice = null, int? minimumN = null) => new()
    {
        ["key"] = key, ["name"] = key, ["metric"] = metric, ["target"] = target, ["owner"] = "service", ["by"] = by, ["slice"] = slice,
        ["minimumN"] = minimumN, ["raci"] = new JsonObject { ["accountable"] = new JsonArray("service"), ["informed"] = new JsonArray("marketing") },
    };

    [Theory, MemberData(nameof(Providers))]
    public async Task Status_follows_the_interval_and_targets_derive_from_what_customers_signed(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider, new Dictionary<string, string?> { ["Kpis:Evaluate"] = "false" });
        var client = await host.ClientAsync("a");
        // Within the last month: team L1 resolves 8 of 8 contacts at first contact, team L2 4 of 8. Customers a, b, c
        // signed 5, 10 and 20 minutes: the median is 10 minutes, 600 s. Handle times: L1 100 s, L2 300 s.
        var events = new List<JsonObject>();
        for (var i = 0; i < 8; i++)
        {
            events.Add(Call($"l1-{i}", Today.AddDays(-2 - i), "a@example.com", "L1", 100, resolved: true, slaMinutes: 5));
            events.Add(Call($"l2-{i}", Today.AddDays(-2 - i), i % 2 == 0 ? "b@example.com" : "c@example.com", "L2", 300, resolved: i < 4,
                slaMinutes: i % 2 == 0 ? 10 : 20));
        }

        await PostEventsAsync(client, events);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/kpis",
            Kpi("fcr-l1", "first_contact_resolution", new JsonObject { ["value"] = 60 }, "team", "L1", minimumN: 5))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/kpis",
            Kpi("fcr-l2", "first_contact_resolution", new JsonObject { ["value"] = 60 }, "team", "L2", minimumN: 5))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/kpis",
            Kpi("fcr-all", "first_contact_resolution", new JsonObject { ["value"] = 60 }))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/kpis",
            Kpi("aht", "average_handle_time", new JsonObject { ["attribute"] = "slaMinutes", ["scale"] = 60 }, minimumN: 5))).StatusCode);

        // L1: 100 %, Wilson's low end 67.6 % ≥ 60: on track. L2: 50 % in [21.5, 78.5]: at risk, not off track.
        var l1 = (await client.GetFromJsonAsync<JsonObject>("/api/v1/kpis/fcr-l1"))!;
        Assert.Equal(("onTrack", 100.0, 8L), ((string)l1["status"]!, (double)l1["value"]!, (long)l1["n"]!));
        Assert.Equal(Wilson(8, 8).Low, (double)l1["low"]!, 3);
        var l2 = (await client.GetFromJsonAsync<JsonObject>("/api/v1/kpis/fcr-l2"))!;
        Assert.Equal(("atRisk", 50.0), ((string)l2["status"]!, (double)l2["value"]!));
        Assert.Equal(Wilson(4, 8).High, (double)l2["high"]!, 3);
        Assert.Equal("atLeast", (string)l2["direction"]!);

        // 16 contacts are fewer than the default minimum of 30: no judgement.
        var all = (await client.GetFromJsonAsync<JsonObject>("/api/v1/kpis/fcr-all"))!;
        Assert.Equal(("tooFew", 16L, 30), ((string)all["status"]!, (long)all["n"]!, (int)all["minimumN"]!));

        // Handle time at most the median signed SLA: mean 200 s, s = √(16 × 100² / 15), t(15) interval well under 600.
        var aht = (await client.GetFromJsonAsync<JsonObject>("/api/v1/kpis/aht"))!;
        Assert.Equal((600.0, "atMost", "onTrack", 200.0), ((double)aht["target"]!, (string)aht["direction"]!, (string)aht["status"]!, (double)aht["value"]!));
        Assert.Contains("median of customer attribute slaMinutes over 3 profiles", (string)aht["targetSource"]!, StringComparison.Ordinal);

        // NPS from ten answers: 5 promoters, 2 passives, 3 detractors: 20, Wald Var = (0.5 + 0.3 − 0.2²) / 10 = 0.076.
        int[] scores = [10, 9, 9, 10, 9, 8, 7, 3, 6, 0];
        await PostEventsAsync(client, scores.Select((score, i) => new JsonObject
        {
            ["id"] = $"r{i}", ["customer"] = new JsonObject { ["email"] = $"r{i}@example.com" }, ["occurredAt"] = At(Today.AddDays(-3)), ["department"] = "marketing",
            ["channel"] = "email", ["type"] = "survey.response", ["attributes"] = new JsonObject { ["survey"] = "rel", ["npsScore"] = score },
        }));
        var npsKpi = Kpi("nps", "nps", new JsonObject { ["value"] = 10 }, minimumN: 5);
        npsKpi["owner"] = "marketing";
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/kpis", npsKpi)).StatusCode);
        var nps = (await client.GetFromJsonAsync<JsonObject>("/api/v1/kpis/nps"))!;
        Assert.Equal(("atRisk", 20.0, 10L), ((string)nps["status"]!, (double)nps["value"]!, (long)nps["n"]!));
        Assert.Equal(20 - (100 * 1.959963985 * Math.Sqrt(0.076)), (double)nps["low"]!, 3);

        // The scorecard counts them per department and for the company.
        var cards = (await client.GetFromJsonAsync<JsonObject>("/api/v1/scorecards"))!;
        Assert.Equal(["marketing", "service"], cards["departments"]!.AsArray().Select(d => (string)d!["name"]!));
        var service = cards["departments"]![1]!;
        Assert.Equal((2, 1, 1, 0), ((int)service["counts"]!["onTrack"]!, (int)service["counts"]!["atRisk"]!, (int)service["counts"]!["tooFew"]!, (int)service["counts"]!["offTrack"]!));
        Assert.Equal(5, cards["company"]!["kpis"]!.AsArray().Count);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_target_derives_from_the_reply_time_customers_say_they_expect(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider, new Dictionary<string, string?> { ["Kpis:Evaluate"] = "false" });
        var client = await host.ClientAsync("a");
        static JsonObject Text(string en, string es) => new() { ["en"] = en, ["es"] = es };
        var survey = new JsonObject
        {
            ["key"] = "onboarding",
            ["title"] = Text("Welcome", "Bienvenida"),
            ["thanks"] = Text("Thank you", "Gracias"),
            ["questions"] = new JsonArray(new JsonObject
            {
                ["key"] = "reply", ["kind"] = "singleChoice", ["prompt"] = Text("How soon do you expect a reply?", "¿En cuánto tiempo espera respuesta?"),
                ["options"] = new JsonArray(
                    new JsonObject { ["key"] = "within_1h", ["label"] = Text("Within an hour", "En una hora") },
                    new JsonObject { ["key"] = "same_day", ["label"] = Text("The same day", "El mismo día") },
                    new JsonObject { ["key"] = "next_day", ["label"] = Text("The next day", "Al día siguiente") }),
            }),
        };
        var created = await client.PostAsJsonAsync("/api/v1/surveys", survey);
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/v1/surveys/onboarding/publish", null)).StatusCode);

        // Five customers answered: 1, 1, 8, 24 and 8 hours. Median 8 h = 28,800 s; the 25th percentile 1 h = 3,600 s.
        var file = Path.Combine(Path.GetTempPath(), "opencxo-tests", Guid.NewGuid().ToString("N") + ".csv");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        string[] answers = ["within_1h", "within_1h", "same_day", "next_day", "same_day"];
        await File.WriteAllLinesAsync(file, ["id,answeredAt,survey,email,reply", .. answers.Select((a, i) => $"x{i},{At(Today.AddDays(-5))},onboarding,c{i}@example.com,{a}")]);
        var importer = new OpenCxo.App.Feedback.ResponseFileImporter(host.Factory,
            host.Services.GetRequiredService<OpenCxo.Core.Ingest.EventParser>(), host.Services.GetRequiredService<OpenCxo.Data.Ingest.EventIngestor>());
        await using (var db = host.Factory.CreateDbContext())
        {
            var workspace = await db.Workspaces.SingleAsync(w => w.Slug == "a");
            var imported = await importer.ImportAsync(file, workspace.Id, null, default);
            Assert.Equal(5L, imported.Imported);
        }

        var choices = new JsonObject { ["within_1h"] = 1, ["same_day"] = 8, ["next_day"] = 24 };
        var kpi = Kpi("reply-time", "average_handle_time", new JsonObject { ["survey"] = "onboarding", ["question"] = "reply", ["choices"] = choices, ["scale"] = 3600 });
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/kpis", kpi)).StatusCode);
        var state = (await client.GetFromJsonAsync<JsonObject>("/api/v1/kpis/reply-time"))!;
        Assert.Equal(28_800.0, (double)state["target"]!);
        Assert.StartsWith("median of 5 answers to onboarding/reply", (string)state["targetSource"]!, StringComparison.Ordinal);
        // Nothing measured yet: no data, whatever the target.
        Assert.Equal("noData", (string)state["status"]!);

        kpi["target"]!["statistic"] = "p25";
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync("/api/v1/kpis/reply-time", kpi)).StatusCode);
        Assert.Equal(3_600.0, (double)(await client.GetFromJsonAsync<JsonObject>("/api/v1/kpis/reply-time"))!["target"]!);

        // A question nobody answered derives nothing: too few to judge once there is something to judge.
        kpi["target"] = new JsonObject { ["survey"] = "onboarding", ["question"] = "missing" };
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync("/api/v1/kpis/reply-time", kpi)).StatusCode);
        var none = (await client.GetFromJsonAsync<JsonObject>("/api/v1/kpis/reply-time"))!;
        Assert.Null(none["target"]);
        Assert.StartsWith("median of 0 answers", (string)none["targetSource"]!, StringComparison.Ordinal);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_money_kpi_reads_one_currency(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider, new Dictionary<string, string?> { ["Kpis:Evaluate"] = "false" });
        var client = await host.ClientAsync("a");
        static JsonObject Money(string id, string type, decimal value, string currency) => new()
        {
            ["id"] = id, ["customer"] = new JsonObject { ["email"] = "buyer@example.com" }, ["occurredAt"] = At(Today.AddDays(-4)), ["department"] = "sales",
            ["channel"] = "web", ["type"] = type, ["value"] = value, ["currency"] = currency,
        };

        // Net EUR revenue: 49 + 49 + 49 − 10 refunded = 137; the 500 USD order is another currency and never added in.
        await PostEventsAsync(client,
        [
            Money("m1", "order.placed", 49, "EUR"), Money("m2", "order.placed", 49, "EUR"), Money("m3", "order.placed", 49, "EUR"),
            Money("m4", "refund.issued", 10, "EUR"), Money("m5", "order.placed", 500, "USD"),
        ]);
        var kpi = Kpi("revenue-eur", "revenue", new JsonObject { ["value"] = 137 });
        kpi["currency"] = "EUR";
        kpi["owner"] = "sales";
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/kpis", kpi)).StatusCode);
        var state = (await client.GetFromJsonAsync<JsonObject>("/api/v1/kpis/revenue-eur"))!;
        Assert.Equal((137.0, "onTrack"), ((double)state["value"]!, (string)state["status"]!));
        Assert.Null(state["low"]);

        kpi["currency"] = "USD";
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync("/api/v1/kpis/revenue-eur", kpi)).StatusCode);
        state = (await client.GetFromJsonAsync<JsonObject>("/api/v1/kpis/revenue-eur"))!;
        Assert.Equal((500.0, "onTrack"), ((double)state["value"]!, (string)state["status"]!));

        kpi["currency"] = "euros";
        var refused = await client.PutAsJsonAsync("/api/v1/kpis/revenue-eur", kpi);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("\"currency\"", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var nps = Kpi("nps-eur", "nps", new JsonObject { ["value"] = 1 });
        nps["currency"] = "EUR";
        Assert.Contains("\"currency\"", await (await client.PostAsJsonAsync("/api/v1/kpis", nps)).Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("\"metric\"", await (await client.PostAsJsonAsync("/api/v1/kpis", Kpi("cohorts", "cohort_retention", new JsonObject { ["value"] = 1 }))).Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task The_council_report_compares_the_month_with_the_one_before(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider, new Dictionary<string, string?> { ["Kpis:Evaluate"] = "false" });
        var client = await host.ClientAsync("a");
        // Last complete month: 6 of 8 contacts resolved at first contact (75 %); the month before: 2 of 8 (25 %).
        var month = KpiRules.CompletePeriods(Today, KpiPeriod.Month, 1)[0];
        var before = KpiRules.CompletePeriods(Today, KpiPeriod.Month, 2)[0];
        var events = new List<JsonObject>();
        for (var i = 0; i < 8; i++)
        {
            events.Add(Call($"m{i}", month.From.AddDays(i), $"m{i}@example.com", "L1", 100, resolved: i < 6));
            events.Add(Call($"b{i}", before.From.AddDays(i), $"b{i}@example.com", "L1", 100, resolved: i < 2));
        }

        await PostEventsAsync(client, events);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/kpis",
            Kpi("fcr", "first_contact_resolution", new JsonObject { ["value"] = 60 }, minimumN: 5))).StatusCode);

        var report = (await client.GetFromJsonAsync<JsonObject>("/api/v1/council"))!;
        Assert.Equal(month.From.ToString("yyyy-MM", CultureInfo.InvariantCulture), (string)report["month"]!);
        var line = report["departments"]![0]!["kpis"]![0]!;
        // 75 % in Wilson's [40.9, 92.9] straddles 60: at risk; 25 % in [7.1, 59.1] lies below it: off track.
        Assert.Equal((75.0, 25.0, 50.0, "atRisk", "offTrack"),
            ((double)line["value"]!, (double)line["previous"]!, (double)line["change"]!, (string)line["status"]!, (string)line["previousStatus"]!));
        // The change's p-value: a z test with each standard error read from its Wilson interval (half-width / 1.96).
        var (l1, h1) = Wilson(6, 8);
        var (l2, h2) = Wilson(2, 8);
        var z = 50 / Math.Sqrt(Math.Pow((h1 - l1) / (2 * 1.959963985), 2) + Math.Pow((h2 - l2) / (2 * 1.959963985), 2));
        Assert.Equal(2 * MathNet.Numerics.Distributions.Normal.CDF(0, 1, -z), (double)line["changePValue"]!, 4);
        Assert.True((bool)line["significant"]! && (bool)line["improved"]!);
        Assert.Empty(report["offTrack"]!.AsArray());

        // The month before, read as its own report, is off track; an alert raised now belongs to this month's report.
        var earlier = (await client.GetFromJsonAsync<JsonObject>("/api/v1/council?month=" + before.From.ToString("yyyy-MM", CultureInfo.InvariantCulture)))!;
        Assert.Equal(["fcr"], earlier["offTrack"]!.AsArray().Select(k => (string)k!));
        var rule = new JsonObject { ["key"] = "fcr-status", ["name"] = "FCR status", ["kpi"] = "fcr", ["condition"] = new JsonObject { ["kind"] = "status", ["statuses"] = new JsonArray("atRisk", "offTrack", "noData") } };
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/alert-rules", rule)).StatusCode);
        Assert.Equal(1, (int)(await (await client.PostAsync("/api/v1/alerts/evaluate", null)).Content.ReadFromJsonAsync<JsonObject>())!["raised"]!);
        Assert.Empty((await client.GetFromJsonAsync<JsonObject>("/api/v1/council"))!["alerts"]!.AsArray());
        var now = (await client.GetFromJsonAsync<JsonObject>("/api/v1/council?month=" + Today.ToString("yyyy-MM", CultureInfo.InvariantCulture)))!;
        Assert.Single(now["alerts"]!.AsArray());
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/v1/council?month=2026-13")).StatusCode);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Snapshots_fill_the_last_complete_periods_once(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider, new Dictionary<string, string?> { ["Kpis:Evaluate"] = "false" });
        var client = await host.ClientAsync("a");
        // Two months ago: 3 contacts of 300 s; last month: 1 contact of 100 s; this month's contacts are not in any snapshot.
        var (twoAgo, lastMonth) = (KpiRules.CompletePeriods(Today, KpiPeriod.Month, 2)[0].From, KpiRules.CompletePeriods(Today, KpiPeriod.Month, 1)[0].From);
        await PostEventsAsync(client,
        [
            Call("s1", twoAgo.AddDays(3), "a@example.com", "L1", 300), Call("s2", twoAgo.AddDays(4), "b@example.com", "L1", 300),
            Call("s3", twoAgo.AddDays(5), "c@example.com", "L1", 300), Call("s4", lastMonth.AddDays(1), "a@example.com", "L1", 100),
            Call("s5", Today, "a@example.com", "L1", 900),
        ]);
        var kpi = Kpi("aht", "average_handle_time", new JsonObject { ["value"] = 250 }, minimumN: 1);
        kpi["period"] = "month";
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/kpis", kpi)).StatusCode);

        var first = (await (await client.PostAsync("/api/v1/alerts/evaluate", null)).Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(KpiService.HistoryPeriods, (int)first["snapshots"]!);
        var again = (await (await client.PostAsync("/api/v1/alerts/evaluate", null)).Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(0, (int)again["snapshots"]!);

        var state = (await client.GetFromJsonAsync<JsonObject>("/api/v1/kpis/aht"))!;
        var history = state["history"]!.AsArray();
        Assert.Equal(KpiService.HistoryPeriods, history.Count);
        // Two months ago: 300 s against at most 250 with one value repeated (s = 0): the interval is the point, off track.
        // Last month: one contact, an infinite t interval: at risk. Earlier months: no data.
        Assert.Equal((300.0, "offTrack"), ((double)history[^2]!["value"]!, (string)history[^2]!["status"]!));
        Assert.Equal((100.0, 1L, "atRisk"), ((double)history[^1]!["value"]!, (long)history[^1]!["n"]!, (string)history[^1]!["status"]!));
        Assert.All(history.Take(KpiService.HistoryPeriods - 2), h => Assert.Equal("noData", (string)h!["status"]!));
        Assert.Equal(KpiRules.Label(lastMonth, KpiPeriod.Month), (string)state["lastPeriod"]!["period"]!);
        Assert.Equal(-200.0, (double)state["change"]!);

        // A new name keeps the history; a new target starts it again.
        kpi["name"] = "Handle time, renamed";
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync("/api/v1/kpis/aht", kpi)).StatusCode);
        Assert.Equal(KpiService.HistoryPeriods, (await client.GetFromJsonAsync<JsonObject>("/api/v1/kpis/aht"))!["history"]!.AsArray().Count);
        kpi["target"] = new JsonObject { ["value"] = 400 };
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync("/api/v1/kpis/aht", kpi)).StatusCode);
        Assert.Empty((await client.GetFromJsonAsync<JsonObject>("/api/v1/kpis/aht"))!["history"]!.AsArray());
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_breach_is_raised_once_delivered_once_and_the_quiet_period_holds(string provider)
    {
        await using var smtp = await SmtpSink.StartAsync();
        using var hook = new WebhookSink();
        await using var host = await ApiHost.StartAsync(provider, new Dictionary<string, string?>
        {
            ["Kpis:Evaluate"] = "false",
            ["Smtp:Host"] = "127.0.0.1",
            ["Smtp:Port"] = smtp.Port.ToString(CultureInfo.InvariantCulture),
            ["Smtp:Security"] = "none",
        });
        var client = await host.ClientAsync("a");
        // Yesterday team L1 averaged 1000 s and team L2 200 s; the rule fires above 500 s, per team.
        await PostEventsAsync(client,
        [
            Call("y1", Today.AddDays(-1), "a@example.com", "L1", 900), Call("y2", Today.AddDays(-1), "b@example.com", "L1", 1100),
            Call("y3", Today.AddDays(-1), "c@example.com", "L2", 200),
        ]);
        var rule = new JsonObject
        {
            ["key"] = "slow-teams", ["name"] = "Slow teams", ["metric"] = "average_handle_time", ["by"] = "team", ["minimumN"] = 1,
            ["condition"] = new JsonObject { ["kind"] = "threshold", ["above"] = 500 },
            ["notify"] = new JsonObject { ["email"] = new JsonArray("lead@shop.example"), ["webhook"] = hook.Url },
        };
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/alert-rules", rule)).StatusCode);

        var first = (await (await client.PostAsync("/api/v1/alerts/evaluate", null)).Content.ReadFromJsonAsync<JsonObject>())!;
        var second = (await (await client.PostAsync("/api/v1/alerts/evaluate", null)).Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal((1, 2, 0, 0), ((int)first["raised"]!, (int)first["delivered"]!, (int)second["raised"]!, (int)second["delivered"]!));
        var alert = Assert.Single((await client.GetFromJsonAsync<JsonObject>("/api/v1/alerts"))!["alerts"]!.AsArray())!;
        Assert.Equal(("L1", 1000.0), ((string)alert["subject"]!, (double)alert["detail"]!["value"]!));
        Assert.Equal("L1", (string)Assert.Single(hook.Bodies)["subject"]!);
        var mail = Assert.Single(smtp.Messages());
        Assert.Equal("lead@shop.example", mail.To.Mailboxes.Single().Address);
        Assert.Contains("Slow teams", mail.Subject, StringComparison.Ordinal);

        // The same rule over the last complete week is another breach for L1 — inside the 24-hour quiet period, so
        // nothing; with no quiet period it is raised.
        rule["window"] = "week";
        var lastWeek = KpiRules.PeriodOf(Today.AddDays(-7), KpiPeriod.Week);
        await PostEventsAsync(client, [Call("w1", lastWeek.From, "a@example.com", "L1", 2000)]);
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync("/api/v1/alert-rules/slow-teams", rule)).StatusCode);
        Assert.Equal(0, (int)(await (await client.PostAsync("/api/v1/alerts/evaluate", null)).Content.ReadFromJsonAsync<JsonObject>())!["raised"]!);
        rule["quietHours"] = 0;
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync("/api/v1/alert-rules/slow-teams", rule)).StatusCode);
        Assert.Equal(1, (int)(await (await client.PostAsync("/api/v1/alerts/evaluate", null)).Content.ReadFromJsonAsync<JsonObject>())!["raised"]!);

        // Another workspace neither sees, acknowledges nor delivers these alerts, and reads no rules.
        var other = await host.ClientAsync("b");
        Assert.Empty((await other.GetFromJsonAsync<JsonObject>("/api/v1/alerts"))!["alerts"]!.AsArray());
        Assert.Empty((await other.GetFromJsonAsync<JsonObject>("/api/v1/alert-rules"))!["rules"]!.AsArray());
        var theirs = (long)(await client.GetFromJsonAsync<JsonObject>("/api/v1/alerts"))!["alerts"]![0]!["id"]!;
        Assert.Equal(HttpStatusCode.NotFound, (await other.PostAsync($"/api/v1/alerts/{theirs}/acknowledge", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.DeleteAsync("/api/v1/alert-rules/slow-teams")).StatusCode);
        Assert.Equal((0, 0), ((int)(await (await other.PostAsync("/api/v1/alerts/evaluate", null)).Content.ReadFromJsonAsync<JsonObject>())!["raised"]!,
            (int)(await (await other.PostAsync("/api/v1/alerts/evaluate", null)).Content.ReadFromJsonAsync<JsonObject>())!["delivered"]!));
        // Rules show where they deliver, so reading them needs kpis:write.
        Assert.Equal(HttpStatusCode.Forbidden, (await (await host.ClientAsync("a", Scopes.StatsRead)).GetAsync("/api/v1/alert-rules")).StatusCode);

        // Acknowledged alerts leave the open list.
        var open = (await client.GetFromJsonAsync<JsonObject>("/api/v1/alerts?state=open"))!["alerts"]!.AsArray();
        Assert.Equal(2, open.Count);
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync($"/api/v1/alerts/{(long)open[0]!["id"]!}/acknowledge", null)).StatusCode);
        Assert.Single((await client.GetFromJsonAsync<JsonObject>("/api/v1/alerts?state=open"))!["alerts"]!.AsArray());
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task An_anomaly_is_judged_against_the_same_weekday(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider, new Dictionary<string, string?> { ["Kpis:Evaluate"] = "false" });
        var client = await host.ClientAsync("a");
        // Yesterday 300 s; the same weekday of the six weeks before 100, 110, 90, 100, 105, 95: median 100, absolute
        // deviations 0, 10, 10, 0, 5, 5 with median 5, so z = 200 / (1.4826 × 5) = 26.98, far beyond 3.5, the bad way.
        // Other weekdays at 5000 s do not count.
        var yesterday = Today.AddDays(-1);
        int[] before = [100, 110, 90, 100, 105, 95];
        var events = new List<JsonObject> { Call("x0", yesterday, "a@example.com", "L1", 300), Call("x9", yesterday.AddDays(-3), "a@example.com", "L1", 5000) };
        events.AddRange(before.Select((seconds, w) => Call($"x{w + 1}", yesterday.AddDays(-7 * (w + 1)), "a@example.com", "L1", seconds)));
        await PostEventsAsync(client, events);
        var rule = new JsonObject
        {
            ["key"] = "aht-anomaly", ["name"] = "Handle time anomaly", ["metric"] = "average_handle_time", ["minimumN"] = 1,
            ["condition"] = new JsonObject { ["kind"] = "anomaly" },
        };
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/alert-rules", rule)).StatusCode);
        Assert.Equal(1, (int)(await (await client.PostAsync("/api/v1/alerts/evaluate", null)).Content.ReadFromJsonAsync<JsonObject>())!["raised"]!);
        var alert = Assert.Single((await client.GetFromJsonAsync<JsonObject>("/api/v1/alerts"))!["alerts"]!.AsArray())!;
        Assert.Equal(200 / (1.4826 * 5), (double)alert["detail"]!["z"]!, 2);
        Assert.Equal(100.0, (double)alert["detail"]!["median"]!);

        // A day far below the median is good news for handle time: a rule per team raises nothing for that team.
        var quiet = new JsonObject
        {
            ["key"] = "aht-anomaly-team-l2", ["name"] = "Handle time anomaly, L2", ["metric"] = "average_handle_time", ["by"] = "team", ["minimumN"] = 1,
            ["condition"] = new JsonObject { ["kind"] = "anomaly" },
        };
        await PostEventsAsync(client, [Call("q0", yesterday, "b@example.com", "L2", 10), .. before.Select((seconds, w) => Call($"q{w + 1}", yesterday.AddDays(-7 * (w + 1)), "b@example.com", "L2", seconds))]);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/alert-rules", quiet)).StatusCode);
        await client.PostAsync("/api/v1/alerts/evaluate", null);
        // Per team: L1's slow day is an alert of its own, L2's fast day is none.
        var perTeam = (await client.GetFromJsonAsync<JsonObject>("/api/v1/alerts"))!["alerts"]!.AsArray().Where(a => (string)a!["rule"]! == "aht-anomaly-team-l2").ToList();
        Assert.Equal(["L1"], perTeam.Select(a => (string)a!["subject"]!));

        // A day far below the median scores as far the other way.
        Assert.Equal(-200 / (1.4826 * 5), KpiRules.RobustZ(-100, [.. before.Select(b => (double)b)])!.Value, 6);
        Assert.Equal(0, KpiRules.RobustZ(7, [7, 7, 7])!.Value);
        Assert.Equal(double.PositiveInfinity, KpiRules.RobustZ(8, [7, 7, 7])!.Value);
        Assert.Null(KpiRules.RobustZ(8, [7, 7]));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Bad_documents_are_refused_by_field_and_nothing_is_stored(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider, new Dictionary<string, string?> { ["Kpis:Evaluate"] = "false" });
        var client = await host.ClientAsync("a");
        async Task<string> RefusedAsync(string json, string path = "/api/v1/kpis")
        {
            var response = await client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            return await response.Content.ReadAsStringAsync();
        }

        Assert.Contains("\"metric\"", await RefusedAsync("""{"key":"k","name":"K","metric":"happiness","target":{"value":1},"owner":"service"}"""), StringComparison.Ordinal);
        Assert.Contains("\"owner\"", await RefusedAsync("""{"key":"k","name":"K","metric":"nps","target":{"value":1},"owner":"finance"}"""), StringComparison.Ordinal);
        Assert.Contains("\"key\"", await RefusedAsync("""{"key":"K K","name":"K","metric":"nps","target":{"value":1},"owner":"service"}"""), StringComparison.Ordinal);
        Assert.Contains("\"slice\"", await RefusedAsync("""{"key":"k","name":"K","metric":"nps","target":{"value":1},"owner":"service","by":"team"}"""), StringComparison.Ordinal);
        Assert.Contains("\"by\"", await RefusedAsync("""{"key":"k","name":"K","metric":"nps","target":{"value":1},"owner":"service","by":"weather","slice":"rain"}"""), StringComparison.Ordinal);
        Assert.Contains("\"target\"", await RefusedAsync("""{"key":"k","name":"K","metric":"nps","target":{"value":1,"attribute":"sla"},"owner":"service"}"""), StringComparison.Ordinal);
        Assert.Contains("\"target.statistic\"", await RefusedAsync("""{"key":"k","name":"K","metric":"nps","target":{"attribute":"sla","statistic":"p100"},"owner":"service"}"""), StringComparison.Ordinal);
        Assert.Contains("\"raci.responsible\"", await RefusedAsync("""{"key":"k","name":"K","metric":"nps","target":{"value":1},"owner":"service","raci":{"responsible":["nobody"]}}"""), StringComparison.Ordinal);
        Assert.Contains("\"raci.accountable\"", await RefusedAsync("""{"key":"k","name":"K","metric":"nps","target":{"value":1},"owner":"service","raci":{"accountable":["sales","service"]}}"""), StringComparison.Ordinal);
        Assert.Contains("\"filters.team\"", await RefusedAsync("""{"key":"k","name":"K","metric":"nps","target":{"value":1},"owner":"service","filters":{"team":["L1"]}}"""), StringComparison.Ordinal);
        Assert.Contains("\"horizon\"", await RefusedAsync("""{"key":"k","name":"K","metric":"nps","target":{"value":1},"owner":"service","horizon":"forever"}"""), StringComparison.Ordinal);
        Assert.Contains("surprise", await RefusedAsync("""{"key":"k","name":"K","metric":"nps","target":{"value":1},"owner":"service","surprise":1}"""), StringComparison.Ordinal);
        Assert.Contains("\"body\"", await RefusedAsync("[" + new string('[', 5000) + new string(']', 5000) + "]"), StringComparison.Ordinal);
        Assert.Contains("\"body\"", await RefusedAsync("{\"key\":\"" + new string('k', 70_000) + "\"}"), StringComparison.Ordinal);
        Assert.Contains("\"notify.webhook\"", await RefusedAsync("""{"key":"r","name":"R","metric":"nps","condition":{"kind":"threshold","below":0},"notify":{"webhook":"file:///etc/passwd"}}""", "/api/v1/alert-rules"), StringComparison.Ordinal);
        Assert.Contains("\"condition.kind\"", await RefusedAsync("""{"key":"r","name":"R","metric":"nps","condition":{"kind":"status"}}""", "/api/v1/alert-rules"), StringComparison.Ordinal);
        Assert.Contains("\"kpi\"", await RefusedAsync("""{"key":"r","name":"R","kpi":"missing","condition":{"kind":"status"}}""", "/api/v1/alert-rules"), StringComparison.Ordinal);
        Assert.Contains("\"notify.email\"", await RefusedAsync("""{"key":"r","name":"R","metric":"nps","condition":{"kind":"threshold","below":0},"notify":{"email":["not an address"]}}""", "/api/v1/alert-rules"), StringComparison.Ordinal);
        Assert.Contains("\"notify.email\"", await RefusedAsync("""{"key":"r","name":"R","metric":"nps","condition":{"kind":"threshold","below":0},"notify":{"email":[null]}}""", "/api/v1/alert-rules"), StringComparison.Ordinal);
        Assert.Contains("\"filters.segment\"", await RefusedAsync("""{"key":"r","name":"R","metric":"nps","condition":{"kind":"threshold","below":0},"filters":{"segment":[null]}}""", "/api/v1/alert-rules"), StringComparison.Ordinal);
        Assert.Contains("\"filters.channel\"", await RefusedAsync("""{"key":"r","name":"R","metric":"average_handle_time","condition":{"kind":"threshold","above":1},"filters":{"channel":["pigeon"]}}""", "/api/v1/alert-rules"), StringComparison.Ordinal);
        Assert.Contains("\"condition.kind\"", await RefusedAsync("""{"key":"r","name":"R","metric":"revenue","condition":{"kind":"change"}}""", "/api/v1/alert-rules"), StringComparison.Ordinal);
        Assert.Contains("\"filters.survey\"", await RefusedAsync("""{"key":"k","name":"K","metric":"nps","target":{"value":1},"owner":"service","filters":{"survey":[null]}}"""), StringComparison.Ordinal);
        Assert.Contains("\"raci.informed\"", await RefusedAsync("""{"key":"k","name":"K","metric":"nps","target":{"value":1},"owner":"service","raci":{"informed":[null]}}"""), StringComparison.Ordinal);
        await using (var db = host.Factory.CreateDbContext())
        {
            Assert.Equal((0, 0), (await db.Kpis.CountAsync(), await db.AlertRules.CountAsync()));
        }

        // A duplicate key is refused and the first stays; the URL's key must match the body's; reading needs stats:read,
        // writing kpis:write.
        var good = """{"key":"k","name":"K","metric":"nps","target":{"value":30},"owner":"service"}""";
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync("/api/v1/kpis", new StringContent(good, Encoding.UTF8, "application/json"))).StatusCode);
        var again = await client.PostAsync("/api/v1/kpis", new StringContent(good.Replace("30", "40", StringComparison.Ordinal), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("exists", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // A PUT creates (201) or replaces (200).
        var put = """{"key":"k2","name":"K2","metric":"nps","target":{"value":30},"owner":"service"}""";
        Assert.Equal(HttpStatusCode.Created, (await client.PutAsync("/api/v1/kpis/k2", new StringContent(put, Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsync("/api/v1/kpis/k2", new StringContent(put, Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal(30.0, (double)(await client.GetFromJsonAsync<JsonObject>("/api/v1/kpis/k"))!["target"]!);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PutAsync("/api/v1/kpis/other", new StringContent(good, Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/v1/kpis/nope")).StatusCode);
        var reader = await host.ClientAsync("a", Scopes.StatsRead);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/api/v1/kpis")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PostAsync("/api/v1/kpis", new StringContent(good, Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.DeleteAsync("/api/v1/kpis/k")).StatusCode);
        // Another workspace sees none of it.
        var other = await host.ClientAsync("b");
        Assert.Empty((await other.GetFromJsonAsync<JsonObject>("/api/v1/kpis"))!["kpis"]!.AsArray());
        Assert.Equal(HttpStatusCode.NotFound, (await other.DeleteAsync("/api/v1/kpis/k")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/api/v1/kpis/k")).StatusCode);
    }
}
