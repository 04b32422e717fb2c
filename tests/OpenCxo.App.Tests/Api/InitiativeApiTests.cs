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
        Assert.Equal(["product EUR 120000 0 1", "service EUR 120000 0 1"], list["budgets"]!.AsArray().Select(b =>
            $"{b!["department"]} {b["currency"]} {(decimal)b["inPlay"]!} {(decimal)b["done"]!} {b["initiatives"]}"));

        // Done, fix-first-time no longer competes.
        fixFirst["status"] = "done";
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync("/api/v1/initiatives/fix-first-time", fixFirst)).StatusCode);
        findings = (await client.GetFromJsonAsync<JsonObject>("/api/v1/initiatives/findings"))!;
        Assert.Empty(findings["duplicates"]!.AsArray());
        Assert.Empty(findings["conflicts"]!.AsArray());

        // Impact: handle time 300, 320, 310 s in the three months before the start, 280, 270, 290 after; ± 1.96 × 10 s each.
        await using (var db = host.Factory.CreateDbContext())
        {
            var aht = await db.Kpis.SingleAsync(k => k.Key == "aht");
            var values = new double[] { 300, 320, 310, 280, 270, 290 };
            for (var i = 0; i < values.Length; i++)
            {
                var from = start.AddMonths(i - 3);
                db.KpiSnapshots.Add(new KpiSnapshotRow
                {
                    KpiId = aht.Id, WorkspaceId = aht.WorkspaceId, PeriodFrom = from, PeriodTo = from.AddMonths(1).AddDays(-1),
                    Value = values[i], Low = values[i] - 19.59963984540054, High = values[i] + 19.59963984540054, N = 400, Target = 60, Status = "offTrack", TakenAt = DateTime.UtcNow,
                });
            }

            await db.SaveChangesAsync();
        }

        var impact = (await client.GetFromJsonAsync<JsonObject>("/api/v1/initiatives/short-calls/impact"))!["kpis"]![0]!;
        Assert.Equal((310.0, 280.0, -30.0), ((double)impact["before"]!["mean"]!, (double)impact["after"]!["mean"]!, (double)impact["change"]!));
        Assert.Equal((3, 3), ((int)impact["before"]!["periods"]!, (int)impact["after"]!["periods"]!));

        // Each se 10: within-period √300 / 3 = 5.7735, equal to the spread 10 / √3; the window is
        // 310 ± t(0.975, 2) × 5.7735 = 310 ± 24.8414 (t from the NIST/SEMATECH e-Handbook, 1.3.6.7.2: 4.3027).
        Assert.Equal(310 - 24.8414, (double)impact["before"]!["low"]!, 3);
        Assert.True((bool)impact["intended"]!);

        // Welch: the change's se √(2 × 5.7735²) = 8.1650 with df 4; −30 ± t(0.975, 4) × 8.1650 = −30 ± 22.6696 (t = 2.7764).
        Assert.Equal(-52.6696, (double)impact["changeInterval"]!["low"]!, 3);
        Assert.Equal(-7.3304, (double)impact["changeInterval"]!["high"]!, 3);
        Assert.Equal(4.0, (double)impact["changeInterval"]!["degreesOfFreedom"]!);
        Assert.Equal(5.0, (double)impact["slopeBefore"]!);
        Assert.True((bool)impact["real"]!);
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

        // A proposed initiative has not run: no number, and the reason.
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/initiatives", Initiative("planned", "sales", "aht", "down", "delivery", start, "proposed"))).StatusCode);
        impact = (await client.GetFromJsonAsync<JsonObject>("/api/v1/initiatives/planned/impact"))!["kpis"]![0]!;
        Assert.Null(impact["before"]);
        Assert.Null(impact["real"]);
        Assert.Contains("notStarted", impact["caveats"]!.AsArray().Select(c => (string)c!["code"]!));
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/api/v1/initiatives/planned")).StatusCode);

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

    private static List<string> ErrorFields(string problem) => [.. JsonNode.Parse(problem)!["errors"]!.AsObject().Select(e => e.Key)];

    [Theory, MemberData(nameof(Providers))]
    public async Task Put_creates_with_201_replaces_with_200_and_a_target_deleted_since_does_not_block_saving(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider, new Dictionary<string, string?> { ["Kpis:Evaluate"] = "false" });
        var client = await host.ClientAsync("a");
        await SetUpKpisAsync(client);
        var initiative = Initiative("short-calls", "service", "aht", "down", "billing", ThisMonth);

        var created = await client.PutAsJsonAsync("/api/v1/initiatives/short-calls", initiative);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("/api/v1/initiatives/short-calls", created.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync("/api/v1/initiatives/short-calls", initiative)).StatusCode);

        // Creates, replaces and deletes of one key racing each other: each is a 201, 200, 204, 404 or 409, never a 400 or 500.
        var race = initiative.DeepClone().AsObject();
        race["key"] = "race";
        var statuses = await Task.WhenAll(Enumerable.Range(0, 12).Select(async i => i % 3 == 2
            ? (await client.DeleteAsync("/api/v1/initiatives/race")).StatusCode
            : (await client.PutAsJsonAsync("/api/v1/initiatives/race", race)).StatusCode));
        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.Created or HttpStatusCode.OK or HttpStatusCode.NoContent or HttpStatusCode.NotFound or HttpStatusCode.Conflict, $"{s}"));
        Assert.Contains(HttpStatusCode.Created, statuses);

        // The KPI is deleted: the initiative can still be marked done, and the findings flag the target.
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/api/v1/kpis/aht")).StatusCode);
        var findings = (await client.GetFromJsonAsync<JsonObject>("/api/v1/initiatives/findings"))!;
        var dangling = Assert.Single(findings["dangling"]!.AsArray(), d => (string)d!["initiative"]! == "short-calls")!;
        Assert.Equal(("short-calls", "kpis", "aht"), ((string)dangling["initiative"]!, (string)dangling["field"]!, (string)dangling["target"]!));
        initiative["status"] = "done";
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync("/api/v1/initiatives/short-calls", initiative)).StatusCode);
        Assert.Equal("done", (string)(await client.GetFromJsonAsync<JsonObject>("/api/v1/initiatives/short-calls"))!["status"]!);
        Assert.DoesNotContain((await client.GetFromJsonAsync<JsonObject>("/api/v1/initiatives/findings"))!["dangling"]!.AsArray(), d => (string)d!["initiative"]! == "short-calls");

        // A deleted KPI newly added, or the same definition under a new key, is still refused by name.
        initiative["kpis"]!.AsArray().Add(new JsonObject { ["kpi"] = "gone", ["direction"] = "up" });
        var refused = await client.PutAsJsonAsync("/api/v1/initiatives/short-calls", initiative);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(["kpis[1].kpi"], ErrorFields(await refused.Content.ReadAsStringAsync()));
        initiative["kpis"]!.AsArray().RemoveAt(1);
        initiative["key"] = "copy";
        refused = await client.PutAsJsonAsync("/api/v1/initiatives/copy", initiative);
        Assert.Equal(["kpis[0].kpi"], ErrorFields(await refused.Content.ReadAsStringAsync()));
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

        // 21 distinct KPIs (none twice, so nothing else to report): only the cap is named.
        Assert.Equal(["kpis"], ErrorFields(await RefusedAsync(With("kpis", new JsonArray([.. Enumerable.Range(0, 21).Select(i => (JsonNode)new JsonObject { ["kpi"] = $"kpi-{i}", ["direction"] = "down" })])))));

        async Task<List<string>> RefusedRawAsync(string body)
        {
            var response = await client.PostAsync("/api/v1/initiatives", new StringContent(body, Encoding.UTF8, "application/json"));
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, text);
            return ErrorFields(text);
        }

        Assert.Equal(["body"], await RefusedRawAsync("{\"key\":\"x\",\"name\":\"" + new string('a', 200_000) + "\",\"ownerDepartment\":\"sales\"}"));
        Assert.Equal(["body"], await RefusedRawAsync(string.Concat(Enumerable.Repeat("[", 5000))));
        Assert.Equal(["body"], await RefusedRawAsync("null"));
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
