using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenCxo.App.Security;
using OpenCxo.Data.Storage;
using OpenCxo.Testing;

namespace OpenCxo.App.Tests.Api;

/// <summary>CX maturity assessments through the API on both databases: recording, history, the matrix, suggestions, and refused bodies.</summary>
public sealed class MaturityApiTests
{
    public static IEnumerable<object[]> Providers => TestDatabases.Providers;

    private static JsonObject Body(params (string Key, int Score, string? Note)[] answers) => new()
    {
        ["answers"] = new JsonObject(answers.Select(a => KeyValuePair.Create(a.Key, (JsonNode?)(a.Note is null
            ? new JsonObject { ["score"] = a.Score }
            : new JsonObject { ["score"] = a.Score, ["note"] = a.Note })))),
    };

    [Theory, MemberData(nameof(Providers))]
    public async Task Assessments_build_a_history_a_matrix_and_suggestions_from_the_weakest_practices(string provider)
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 1, 15, 10, 0, 0, TimeSpan.Zero));
        await using var host = await ApiHost.StartAsync(provider, configure: b => b.Services.AddSingleton<TimeProvider>(clock));
        var client = await host.ClientAsync("a");

        // Nothing assessed yet: the matrix has every department, none scored.
        var empty = (await client.GetFromJsonAsync<JsonObject>("/api/v1/maturity"))!;
        Assert.Equal(["company", "marketing", "sales", "service", "product", "other"], empty["departments"]!.AsArray().Select(d => (string)d!["department"]!));
        Assert.All(empty["departments"]!.AsArray(), d => Assert.Null(d!["score"]));
        Assert.Null((await client.GetFromJsonAsync<JsonObject>("/api/v1/maturity/service"))!["latest"]);

        // January: measurement 0 and 1 (0.5), governance 2; overall 1.
        var first = await client.PostAsJsonAsync("/api/v1/maturity/service", Body(
            ("measurement.kpi-owners", 0, "KPIs are in a spreadsheet nobody owns"), ("measurement.loop-closed", 1, null), ("governance.cx-council", 2, null)));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal("/api/v1/maturity/service", first.Headers.Location!.OriginalString);

        // April: measurement 3 and 2 (2.5), governance 2, culture 4; overall 11/4 = 2.75. The change is like for like,
        // over the three practices answered both times: (3 + 2 + 2) / 3 − (0 + 1 + 2) / 3 = 4/3 = +1.33 (culture, new,
        // is left out; 2.75 − 1 = 1.75 would count it); measurement +2, governance 0.
        clock.Advance(TimeSpan.FromDays(90));
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/maturity/service", Body(
            ("measurement.kpi-owners", 3, null), ("measurement.loop-closed", 2, null), ("governance.cx-council", 2, null), ("culture.resolution-over-speed", 4, null)))).StatusCode);
        await client.PostAsJsonAsync("/api/v1/maturity/sales", Body(("culture.sales-quality", 1, null)));

        var service = (await client.GetFromJsonAsync<JsonObject>("/api/v1/maturity/service"))!;
        var latest = service["latest"]!;
        Assert.Equal((2.75, "defined", 4), ((double)latest["score"]!, (string)latest["level"]!, (int)latest["answered"]!));
        Assert.Equal(2.5, (double)latest["areas"]!["measurement"]!);
        Assert.Null(latest["areas"]!["strategy"]);
        Assert.Equal(3, (int)latest["answers"]!["measurement.kpi-owners"]!["score"]!);
        Assert.Equal("test", (string)latest["assessedBy"]!);
        Assert.Equal(1.33, (double)service["change"]!["score"]!);
        Assert.Equal(3, (int)service["change"]!["practices"]!);
        Assert.Equal(2.0, (double)service["change"]!["areas"]!["measurement"]!);
        Assert.Equal(0.0, (double)service["change"]!["areas"]!["governance"]!);
        Assert.Null(service["change"]!["areas"]!["culture"]);

        // History oldest first, with each assessment's own scores.
        var history = service["history"]!.AsArray();
        Assert.Equal([1.0, 2.75], history.Select(h => (double)h!["score"]!));
        Assert.Equal([0.5, 2.5], history.Select(h => (double)h!["areas"]!["measurement"]!));
        Assert.Equal([new DateTime(2026, 1, 15, 10, 0, 0, DateTimeKind.Utc), new DateTime(2026, 4, 15, 10, 0, 0, DateTimeKind.Utc)], history.Select(h => (DateTime)h!["assessedAt"]!));

        // The matrix: service's and sales' latest, the others unscored.
        var matrix = (await client.GetFromJsonAsync<JsonObject>("/api/v1/maturity?lang=es"))!;
        Assert.Equal("Conocimiento del cliente", (string)matrix["areas"]![1]!["name"]!);
        var rows = matrix["departments"]!.AsArray().ToDictionary(d => (string)d!["department"]!);
        Assert.Equal(2.75, (double)rows["service"]!["score"]!);
        Assert.Equal(1.33, (double)rows["service"]!["change"]!["score"]!);
        Assert.Equal(1.0, (double)rows["sales"]!["areas"]!["culture"]!);
        Assert.Null(rows["sales"]!["change"]);
        Assert.Null(rows["marketing"]!["score"]);

        // Suggestions read the latest: only the two practices at 2 or less, lowest first, ties in checklist order.
        var suggestions = (await client.GetFromJsonAsync<JsonObject>("/api/v1/maturity/service/suggestions"))!["suggestions"]!.AsArray();
        Assert.Equal(["measurement.loop-closed", "governance.cx-council"], suggestions.Select(s => (string)s!["practice"]!));
        var draft = suggestions[0]!["initiative"]!.AsObject();
        Assert.Equal(["key", "name", "description", "ownerDepartment", "status", "start", "kpis", "journeys", "themes", "expectedImpact"], draft.Select(p => p.Key));
        Assert.Equal("2026-04-15", (string)draft["start"]!);
        Assert.Equal(("maturity-service-loop-closed", "service", "proposed"), ((string)draft["key"]!, (string)draft["ownerDepartment"]!, (string)draft["status"]!));
        Assert.Empty(draft["kpis"]!.AsArray());
        var createUrl = (string)suggestions[0]!["createUrl"]!;
        Assert.StartsWith("/initiatives/new?key=maturity-service-loop-closed&name=Close%20the%20loop", createUrl, StringComparison.Ordinal);
        Assert.EndsWith("&expectedImpact=" + Uri.EscapeDataString((string)draft["expectedImpact"]!), createUrl, StringComparison.Ordinal);
        var spanish = (await client.GetFromJsonAsync<JsonObject>("/api/v1/maturity/service/suggestions?lang=es"))!["suggestions"]![0]!["initiative"]!;
        Assert.Equal("Cerrar el ciclo a tiempo con los clientes insatisfechos", (string)spanish["name"]!);
        Assert.Empty((await client.GetFromJsonAsync<JsonObject>("/api/v1/maturity/product/suggestions"))!["suggestions"]!.AsArray());

        // The same body sent twice is two assessments (a reassessment), the second changing nothing.
        var sales = Body(("culture.sales-quality", 1, null));
        await client.PostAsJsonAsync("/api/v1/maturity/sales", sales);
        var twice = (await client.GetFromJsonAsync<JsonObject>("/api/v1/maturity/sales"))!;
        Assert.Equal(2, twice["history"]!.AsArray().Count);
        Assert.Equal(0.0, (double)twice["change"]!["score"]!);

        // Stored as the issue describes, and audited.
        await using (var db = host.Factory.CreateDbContext())
        {
            var row = await db.MaturityAssessments.OrderBy(a => a.Id).FirstAsync();
            Assert.Equal(("service", 1.0), (row.Department, row.Score));
            Assert.Equal("""{"measurement.kpi-owners":{"score":0,"note":"KPIs are in a spreadsheet nobody owns"},"measurement.loop-closed":{"score":1},"governance.cx-council":{"score":2}}""", row.AnswersJson);
            Assert.Equal(2, await db.AuditLog.CountAsync(e => e.Target == "maturity:service" && e.Action.StartsWith("config.maturity.")));
        }

        // Another workspace sees none of it.
        var other = await host.ClientAsync("b");
        Assert.Null((await other.GetFromJsonAsync<JsonObject>("/api/v1/maturity/service"))!["latest"]);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Each_suggested_initiative_is_taken_unchanged_by_the_initiatives_api(string provider)
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 5, 20, 23, 30, 0, TimeSpan.Zero));
        await using var host = await ApiHost.StartAsync(provider, configure: b => b.Services.AddSingleton<TimeProvider>(clock));
        var client = await host.ClientAsync("a");

        // Five weak practices of service (the most suggested) and one of the company (owned by "other"), in Spanish too.
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/maturity/service", Body(
            ("strategy.deliverable-promises", 0, "24/7 promised, never checked"), ("measurement.kpi-owners", 1, null), ("measurement.loop-closed", 2, null),
            ("governance.cx-council", 1, null), ("culture.resolution-over-speed", 0, null), ("culture.recognition", 3, null)))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/maturity/company", Body(("governance.initiative-portfolio", 0, null)))).StatusCode);

        var posted = new List<string>();
        foreach (var (department, lang) in new[] { ("service", "en"), ("company", "es") })
        {
            var suggestions = (await client.GetFromJsonAsync<JsonObject>($"/api/v1/maturity/{department}/suggestions?lang={lang}"))!["suggestions"]!.AsArray();
            foreach (var suggestion in suggestions)
            {
                var draft = suggestion!["initiative"]!.ToJsonString();
                var created = await client.PostAsync("/api/v1/initiatives", new StringContent(draft, Encoding.UTF8, "application/json"));
                Assert.True(created.StatusCode == HttpStatusCode.Created, $"{draft} → {(int)created.StatusCode} {await created.Content.ReadAsStringAsync()}");
                posted.Add((string)suggestion["initiative"]!["key"]!);
            }
        }

        Assert.Equal(
            ["maturity-service-deliverable-promises", "maturity-service-resolution-over-speed", "maturity-service-kpi-owners", "maturity-service-cx-council",
             "maturity-service-loop-closed", "maturity-company-initiative-portfolio"],
            posted);

        // Stored as suggested: proposed, starting the day it was suggested (UTC), with the expected impact.
        var stored = (await client.GetFromJsonAsync<JsonObject>("/api/v1/initiatives/maturity-company-initiative-portfolio"))!;
        Assert.Equal(("other", "proposed", "2026-05-20"), ((string)stored["ownerDepartment"]!, (string)stored["status"]!, (string)stored["start"]!));
        Assert.StartsWith("Llevar «", (string)stored["expectedImpact"]!, StringComparison.Ordinal);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task An_assessment_whose_practices_were_all_dropped_from_the_checklist_is_read_back_without_a_score(string provider)
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 1, 15, 10, 0, 0, TimeSpan.Zero));
        await using var host = await ApiHost.StartAsync(provider, configure: b => b.Services.AddSingleton<TimeProvider>(clock));
        var client = await host.ClientAsync("a");
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/maturity/service", Body(("measurement.kpi-owners", 2, null)))).StatusCode);

        // A later assessment, stored when the checklist still had these practices; it has since dropped both.
        await using (var db = host.Factory.CreateDbContext())
        {
            var first = await db.MaturityAssessments.SingleAsync();
            db.MaturityAssessments.Add(new MaturityAssessmentRow
            {
                WorkspaceId = first.WorkspaceId, Department = "service", AssessedAt = new DateTime(2026, 2, 1, 9, 0, 0, DateTimeKind.Utc), AssessedBy = "test",
                AnswersJson = """{"measurement.retired-practice":{"score":1},"culture.gone":{"score":3}}""", Score = 2,
            });
            await db.SaveChangesAsync();
        }

        var service = (await client.GetFromJsonAsync<JsonObject>("/api/v1/maturity/service"))!;
        Assert.Null(service["latest"]!["score"]);
        Assert.Null(service["latest"]!["level"]);
        Assert.Equal(0, (int)service["latest"]!["answered"]!);
        Assert.Empty(service["latest"]!["answers"]!.AsObject());
        Assert.Null(service["change"]!["score"]);
        Assert.Equal(0, (int)service["change"]!["practices"]!);
        Assert.Equal([2.0, null], service["history"]!.AsArray().Select(h => (double?)h!["score"]));

        var matrix = (await client.GetFromJsonAsync<JsonObject>("/api/v1/maturity"))!["departments"]!.AsArray();
        Assert.Null(matrix.Single(d => (string)d!["department"]! == "service")!["score"]);
        Assert.Empty((await client.GetFromJsonAsync<JsonObject>("/api/v1/maturity/service/suggestions"))!["suggestions"]!.AsArray());
    }

    [Fact]
    public async Task The_checklist_is_served_in_the_asked_or_the_requests_language()
    {
        await using var host = await ApiHost.StartAsync("sqlite");
        var client = await host.ClientAsync("a", Scopes.StatsRead);
        var english = (await client.GetFromJsonAsync<JsonObject>("/api/v1/maturity/checklist"))!;
        Assert.Equal("en", (string)english["language"]!);
        Assert.Equal(6, english["areas"]!.AsArray().Count);
        Assert.Equal(["Absent", "Ad hoc", "Defined", "Managed", "Optimised"], english["levels"]!.AsArray().Select(l => (string)l!["name"]!));
        var measurement = english["areas"]!.AsArray().Single(a => (string)a!["key"]! == "measurement")!["practices"]!.AsArray();
        var owners = measurement.Single(p => (string)p!["key"]! == "measurement.kpi-owners")!;
        Assert.Equal(("Every KPI has an owner department and a target.", "/kpis"), ((string)owners["text"]!, (string)owners["help"]!));

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/maturity/checklist");
        request.Headers.AcceptLanguage.ParseAdd("es-ES");
        var spanish = (await (await client.SendAsync(request)).Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(("es", "Estrategia"), ((string)spanish["language"]!, (string)spanish["areas"]![0]!["name"]!));
        Assert.Equal("en", (string)(await client.GetFromJsonAsync<JsonObject>("/api/v1/maturity/checklist?lang=en"))!["language"]!);

        var bad = await client.GetAsync("/api/v1/maturity/checklist?lang=fr");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("\"lang\"", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"answers": {"measurement.kpi-owners": {"score": 7}}}""", "answers.measurement.kpi-owners.score")]
    [InlineData("""{"answers": {"measurement.kpi-owners": {"score": 1.5}}}""", "answers.measurement.kpi-owners.score")]
    [InlineData("""{"answers": {"measurement.no-such-practice": {"score": 1}}}""", "answers.measurement.no-such-practice")]
    [InlineData("""{"answers": {"measurement.kpi-owners": {"score": 1}, "measurement.kpi-owners": {"score": 2}}}""", "answers.measurement.kpi-owners")]
    [InlineData("""{"answers": {}}""", "answers")]
    [InlineData("""{"answers": {"measurement.kpi-owners": {"score": 1}}, "assessedBy": "someone else"}""", "assessedBy")]
    [InlineData("""{}""", "answers")]
    [InlineData("""{"answers": null}""", "answers")]
    [InlineData("""[]""", "body")]
    [InlineData("""not json""", "body")]
    public async Task A_bad_assessment_is_refused_naming_the_field_and_stores_nothing(string body, string field)
    {
        await using var host = await ApiHost.StartAsync("sqlite");
        var client = await host.ClientAsync("a");
        var response = await client.PostAsync("/api/v1/maturity/service", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject();
        Assert.True(errors.ContainsKey(field), $"{field} not in {errors.ToJsonString()}");
        await using var db = host.Factory.CreateDbContext();
        Assert.Equal(0, await db.MaturityAssessments.CountAsync());
    }

    [Fact]
    public async Task Huge_hostile_and_unauthorised_requests_are_refused()
    {
        await using var host = await ApiHost.StartAsync("sqlite");
        var client = await host.ClientAsync("a");

        // An unknown department, in the URL of every verb.
        var wrong = await client.PostAsJsonAsync("/api/v1/maturity/finance", Body(("measurement.kpi-owners", 1, null)));
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Contains("\"department\"", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/v1/maturity/finance")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/v1/maturity/%3Cscript%3E/suggestions")).StatusCode);

        // A note over 1000 characters; a body over 64 KB; nesting deeper than the reader allows.
        var longNote = await client.PostAsJsonAsync("/api/v1/maturity/service", Body(("measurement.kpi-owners", 1, new string('n', 1001))));
        Assert.Contains("answers.measurement.kpi-owners.note", await longNote.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var huge = await client.PostAsync("/api/v1/maturity/service", new StringContent(
            "{\"answers\": {\"measurement.kpi-owners\": {\"score\": 1, \"note\": \"" + new string('a', 100_000) + "\"}}}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, huge.StatusCode);
        Assert.Equal("is larger than 64 KB", (string)(await huge.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!["body"]![0]!);
        var deep = await client.PostAsync("/api/v1/maturity/service", new StringContent(
            "{\"answers\": {\"measurement.kpi-owners\": " + string.Concat(Enumerable.Repeat("{\"a\":", 500)) + "1" + new string('}', 502), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, deep.StatusCode);
        var deepErrors = (await deep.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject();
        // Too deep inside the answers: the problem is named where the reader gave up, the answers field.
        var tooDeep = Assert.Single(deepErrors);
        Assert.Equal("answers", tooDeep.Key);
        Assert.StartsWith("cannot be read", (string)tooDeep.Value![0]!, StringComparison.Ordinal);

        // Hundreds of made-up practices: one answer, with at most 20 problems.
        var flood = new JsonObject { ["answers"] = new JsonObject(Enumerable.Range(0, 800).Select(i => KeyValuePair.Create($"x.{i}", (JsonNode?)new JsonObject { ["score"] = 1 }))) };
        var flooded = (await (await client.PostAsJsonAsync("/api/v1/maturity/service", flood)).Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(20, flooded["errors"]!.AsObject().Count);

        // A note with markup is kept as text, as written.
        const string Markup = "<script>alert('x')</script> & \"quotes\"";
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/maturity/service", Body(("measurement.kpi-owners", 1, Markup)))).StatusCode);
        var kept = (await client.GetFromJsonAsync<JsonObject>("/api/v1/maturity/service"))!;
        Assert.Equal(Markup, (string)kept["latest"]!["answers"]!["measurement.kpi-owners"]!["note"]!);

        // Reading needs stats:read; recording programme:write.
        var stats = await host.ClientAsync("a", Scopes.StatsRead);
        Assert.Equal(HttpStatusCode.Forbidden, (await stats.PostAsJsonAsync("/api/v1/maturity/service", Body(("measurement.kpi-owners", 1, null)))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await stats.GetAsync("/api/v1/maturity/service")).StatusCode);
        var writer = await host.ClientAsync("a", Scopes.ProgrammeWrite);
        Assert.Equal(HttpStatusCode.Forbidden, (await writer.GetAsync("/api/v1/maturity")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await writer.PostAsJsonAsync("/api/v1/maturity/service", Body(("measurement.kpi-owners", 2, null)))).StatusCode);
        using var anonymous = host.AnonymousClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/maturity")).StatusCode);
    }
}
