using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using OpenCxo.App.Security;
using OpenCxo.Data.Storage;
using OpenCxo.Testing;

namespace OpenCxo.App.Tests.Api;

/// <summary>The initiatives portfolio through the API, on both databases: definitions, duplicates and conflicts, impact from KPI snapshots.</summary>
public sealed class InitiativeApiTests
{
    private static readonly DateOnly ThisMonth = new(DateTime.UtcNow.Year, DateTime.UtcNow.Month, 1);

    public static IEnumerable<object[]> Providers => TestDatabases.Providers;

    private static JsonObject Initiative(string key, string department, string kpi, string direction, string theme, DateOnly start, string status = "active") => new()
    {
        ["key"] = key, ["name"] = "Initiative " + key, ["ownerDepartment"] = department, ["sponsor"] = "Ana Ruiz",
        ["budget"] = new JsonObject { ["amount"] = 120000, ["currency"] = "EUR" }, ["status"] = status,
        ["start"] = start.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        ["kpis"] = new JsonArray(new JsonObject { ["kpi"] = kpi, ["direction"] = direction }),
        ["journeys"] = new JsonArray(new JsonObject { ["journey"] = "service", ["stage"] = "first-call" }),
        ["themes"] = new JsonArray(theme),
        ["expectedImpact"] = "Fewer customers calling twice",
    };

    private static JsonObject Kpi(string key, string metric) => new()
    {
        ["key"] = key, ["name"] = key, ["metric"] = metric, ["target"] = new JsonObject { ["value"] = 60 }, ["owner"] = "service",
    };

    private static async Task SetUpKpisAsync(HttpClient client)
    {
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/kpis", Kpi("aht", "average_handle_time"))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/kpis", Kpi("fcr", "first_contact_resolution"))).StatusCode);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task The_portfolio_flags_duplicates_and_conflicts_and_measures_impact_from_snapshots(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider, new Dictionary<string, string?> { ["Kpis:Evaluate"] = "false" });
        var client = await host.ClientAsync("a");
        await SetUpKpisAsync(client);
        var start = ThisMonth.AddMonths(-3);

        // Service shortens calls while product wants problems solved at the first call, both on billing.
        var shortCalls = Initiative("short-calls", "service", "aht", "down", "billing", start);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/initiatives", shortCalls)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsJsonAsync("/api/v1/initiatives", shortCalls)).StatusCode);
        var fixFirst = Initiative("fix-first-time", "product", "fcr", "up", "billing", start.AddMonths(1));
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/initiatives", fixFirst)).StatusCode);

        var findings = (await client.GetFromJsonAsync<JsonObject>("/api/v1/initiatives/findings"))!;
        var duplicate = Assert.Single(findings["duplicates"]!.AsArray())!;
        Assert.Equal(("fix-first-time", "short-calls"), ((string)duplicate["first"]!, (string)duplicate["second"]!));
        Assert.Equal(["billing"], duplicate["themes"]!.AsArray().Select(t => (string)t!));
        Assert.Equal("first-call", (string)duplicate["journeys"]![0]!["stage"]!);
        Assert.Equal(start.AddMonths(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), (string)duplicate["overlap"]!["from"]!);
        Assert.Null(duplicate["overlap"]!["to"]);
        var conflict = Assert.Single(findings["conflicts"]!.AsArray())!;
        Assert.Equal(("tension", "aht-fcr", "short-calls", "down"),
            ((string)conflict["kind"]!, (string)conflict["tension"]!, (string)conflict["second"]!["initiative"]!, (string)conflict["second"]!["direction"]!));

        // The list carries each initiative with the keys it clashes with.
        var list = (await client.GetFromJsonAsync<JsonObject>("/api/v1/initiatives"))!;
        var row = list["initiatives"]!.AsArray().Single(i => (string)i!["key"]! == "short-calls")!;
        Assert.Equal(("service", 120000m, "EUR"), ((string)row["ownerDepartment"]!, (decimal)row["budget"]!["amount"]!, (string)row["budget"]!["currency"]!));
        Assert.Equal(["fix-first-time"], row["conflicts"]!.AsArray().Select(k => (string)k!));
        Assert.Equal(["fix-first-time"], row["duplicates"]!.AsArray().Select(k => (string)k!));

        // Done, fix-first-time no longer competes.
        fixFirst["status"] = "done";
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync("/api/v1/initiatives/fix-first-time", fixFirst)).StatusCode);
        findings = (await client.GetFromJsonAsync<JsonObject>("/api/v1/initiatives/findings"))!;
        Assert.Empty(findings["duplicates"]!.AsArray());
        Assert.Empty(findings["conflicts"]!.AsArray());

        // Impact: handle time 300, 320, 340 s in the three months before the start, 280, 280, 280 after; ±19.6 s each.
        await using (var db = host.Factory.CreateDbContext())
        {
            var aht = await db.Kpis.SingleAsync(k => k.Key == "aht");
            var values = new double[] { 300, 320, 340, 280, 280, 280 };
            for (var i = 0; i < values.Length; i++)
            {
                var from = start.AddMonths(i - 3);
                db.KpiSnapshots.Add(new KpiSnapshotRow
                {
                    KpiId = aht.Id, WorkspaceId = aht.WorkspaceId, PeriodFrom = from, PeriodTo = from.AddMonths(1).AddDays(-1),
                    Value = values[i], Low = values[i] - 19.6, High = values[i] + 19.6, N = 400, Target = 60, Status = "offTrack", TakenAt = DateTime.UtcNow,
                });
            }

            await db.SaveChangesAsync();
        }

        var impact = (await client.GetFromJsonAsync<JsonObject>("/api/v1/initiatives/short-calls/impact"))!["kpis"]![0]!;
        Assert.Equal((320.0, 280.0, -40.0), ((double)impact["before"]!["mean"]!, (double)impact["after"]!["mean"]!, (double)impact["change"]!));
        Assert.Equal((3, 3), ((int)impact["before"]!["periods"]!, (int)impact["after"]!["periods"]!));

        // Each se 19.6 / 1.96 = 10: the mean's √300 / 3 = 5.7735, ± 11.316.
        Assert.Equal(320 - 11.3159, (double)impact["before"]!["low"]!, 3);
        Assert.True((bool)impact["intended"]!);
        Assert.True((bool)impact["separate"]!);
        Assert.Equal(["notAnExperiment", "seasonality", "regressionToTheMean"], impact["caveats"]!.AsArray().Select(c => (string)c!["code"]!));

        // Another initiative pushing handle time over the same months is named as a caveat.
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/initiatives", Initiative("chatbot", "marketing", "aht", "down", "delivery", start.AddMonths(-1)))).StatusCode);
        impact = (await client.GetFromJsonAsync<JsonObject>("/api/v1/initiatives/short-calls/impact"))!["kpis"]![0]!;
        Assert.Equal(["chatbot"], impact["otherInitiatives"]!.AsArray().Select(k => (string)k!));
        Assert.Contains("chatbot", (string)impact["caveats"]!.AsArray().Single(c => (string)c!["code"]! == "otherInitiatives")!["text"]!, StringComparison.Ordinal);

        // fcr has no snapshots: no number, and the reason.
        impact = (await client.GetFromJsonAsync<JsonObject>("/api/v1/initiatives/fix-first-time/impact"))!["kpis"]![0]!;
        Assert.Null(impact["before"]);
        Assert.Null(impact["change"]);
        Assert.Contains("tooFewPeriods", impact["caveats"]!.AsArray().Select(c => (string)c!["code"]!));

        // Deleting is recorded in the audit log; another workspace sees none of it.
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/api/v1/initiatives/chatbot")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/v1/initiatives/chatbot")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.DeleteAsync("/api/v1/initiatives/chatbot")).StatusCode);
        await using (var db = host.Factory.CreateDbContext())
        {
            Assert.True(await db.AuditLog.AnyAsync(e => e.Action == "config.initiative.delete" && e.Target == "initiative:chatbot"));
        }

        var other = await host.ClientAsync("b");
        Assert.Empty((await other.GetFromJsonAsync<JsonObject>("/api/v1/initiatives"))!["initiatives"]!.AsArray());
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync("/api/v1/initiatives/short-calls/impact")).StatusCode);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Bad_hostile_huge_and_duplicate_bodies_are_refused_naming_the_field(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider, new Dictionary<string, string?> { ["Kpis:Evaluate"] = "false" });
        var client = await host.ClientAsync("a");
        await SetUpKpisAsync(client);
        var good = Initiative("good", "service", "aht", "down", "billing", ThisMonth);

        async Task<string> RefusedAsync(JsonObject body)
        {
            var response = await client.PostAsJsonAsync("/api/v1/initiatives", body);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, text);
            return text;
        }

        JsonObject With(string field, JsonNode? value)
        {
            var copy = good.DeepClone().AsObject();
            copy[field] = value;
            return copy;
        }

        Assert.Contains("kpis[0].kpi", await RefusedAsync(With("kpis", new JsonArray(new JsonObject { ["kpi"] = "nope", ["direction"] = "up" }))), StringComparison.Ordinal);
        Assert.Contains("kpis[0].direction", await RefusedAsync(With("kpis", new JsonArray(new JsonObject { ["kpi"] = "aht", ["direction"] = "sideways" }))), StringComparison.Ordinal);
        Assert.Contains("\"end\"", await RefusedAsync(With("end", ThisMonth.AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture))), StringComparison.Ordinal);
        Assert.Contains("\"start\"", await RefusedAsync(With("start", "yesterday")), StringComparison.Ordinal);
        Assert.Contains("budget.currency", await RefusedAsync(With("budget", new JsonObject { ["amount"] = 1, ["currency"] = "euros" })), StringComparison.Ordinal);
        Assert.Contains("budget.amount", await RefusedAsync(With("budget", new JsonObject { ["amount"] = -5, ["currency"] = "EUR" })), StringComparison.Ordinal);
        Assert.Contains("budget.amount", await RefusedAsync(With("budget", new JsonObject { ["amount"] = JsonNode.Parse("1e400"), ["currency"] = "EUR" })), StringComparison.Ordinal);
        Assert.Contains("themes[0]", await RefusedAsync(With("themes", new JsonArray("<script>alert(1)</script>"))), StringComparison.Ordinal);
        Assert.Contains("journeys[0].journey", await RefusedAsync(With("journeys", new JsonArray(new JsonObject { ["journey"] = "onboarding-x" }))), StringComparison.Ordinal);
        Assert.Contains("ownerDepartment", await RefusedAsync(With("ownerDepartment", "finance")), StringComparison.Ordinal);
        Assert.Contains("key", await RefusedAsync(With("key", "findings")), StringComparison.Ordinal);
        Assert.Contains("ownerDepartmnt", await RefusedAsync(With("ownerDepartmnt", "sales")), StringComparison.Ordinal);
        Assert.Contains("kpis", await RefusedAsync(With("kpis", new JsonArray([.. Enumerable.Range(0, 21).Select(_ => (JsonNode)new JsonObject { ["kpi"] = "aht", ["direction"] = "down" })]))), StringComparison.Ordinal);

        var huge = new StringContent("{\"key\":\"x\",\"name\":\"" + new string('a', 200_000) + "\",\"ownerDepartment\":\"sales\"}", Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync("/api/v1/initiatives", huge)).StatusCode);
        var deep = new StringContent(string.Concat(Enumerable.Repeat("[", 5000)), Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync("/api/v1/initiatives", deep)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync("/api/v1/initiatives", new StringContent("null", Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PutAsJsonAsync("/api/v1/initiatives/other-key", good)).StatusCode);

        // Hostile text is kept as text: stored and given back as it was sent, never interpreted.
        var hostile = With("name", "<img src=x onerror=alert(1)> ' OR 1=1; --");
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/initiatives", hostile)).StatusCode);
        Assert.Equal("<img src=x onerror=alert(1)> ' OR 1=1; --", (string)(await client.GetFromJsonAsync<JsonObject>("/api/v1/initiatives/good"))!["name"]!);

        // The same key twice: the second is a conflict, and the first stays as it was.
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsJsonAsync("/api/v1/initiatives", With("name", "Another"))).StatusCode);
        Assert.Single((await client.GetFromJsonAsync<JsonObject>("/api/v1/initiatives"))!["initiatives"]!.AsArray());

        // Reading needs stats:read, changing programme:write.
        var stats = await host.ClientAsync("a", Scopes.StatsRead);
        Assert.Equal(HttpStatusCode.OK, (await stats.GetAsync("/api/v1/initiatives/findings")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await stats.PostAsJsonAsync("/api/v1/initiatives", good)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await stats.DeleteAsync("/api/v1/initiatives/good")).StatusCode);
        var writer = await host.ClientAsync("a", Scopes.ProgrammeWrite);
        Assert.Equal(HttpStatusCode.Forbidden, (await writer.GetAsync("/api/v1/initiatives")).StatusCode);
    }
}
