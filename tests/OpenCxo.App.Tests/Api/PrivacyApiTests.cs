using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenCxo.App.Security;
using OpenCxo.Data.Analytics;
using OpenCxo.Testing;

namespace OpenCxo.App.Tests.Api;

/// <summary>Issue 9: consent per purpose, the export of everything held about a customer, erasure, and retention policies.</summary>
public sealed class PrivacyApiTests
{
    public static IEnumerable<object[]> Providers => TestDatabases.Providers;

    private static JsonObject Event(string id, JsonObject customer, DateTime at, string? text = null, string type = "ticket.resolved")
    {
        var e = new JsonObject
        {
            ["id"] = id, ["customer"] = customer, ["occurredAt"] = at.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            ["department"] = "service", ["channel"] = "chat", ["type"] = type,
        };
        if (text is not null)
        {
            e["text"] = text;
        }

        return e;
    }

    private static async Task PostAsync(HttpClient client, params JsonObject[] events)
    {
        var response = await client.PostAsJsonAsync("/api/v1/events", new JsonObject { ["events"] = new JsonArray([.. events]) });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(events.Length, (int)(await response.Content.ReadFromJsonAsync<JsonObject>())!["accepted"]!);
    }

    private static async Task<JsonObject> GetJsonAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        Assert.True(response.IsSuccessStatusCode, $"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private static async Task<long> TouchpointsInStoreAsync(ApiHost host, HttpClient client)
    {
        await host.Services.GetRequiredService<AnalyticsStore>().SyncAsync();
        return (long)(await GetJsonAsync(client, "/api/v1/interactions?from=2000-01-01&to=2100-01-01"))["total"]!;
    }

    private static async Task<HttpStatusCode> StatusAsync(Task<HttpResponseMessage> request) => (await request).StatusCode;

    [Theory, MemberData(nameof(Providers))]
    public async Task A_customer_is_exported_whole_then_erased_everywhere_leaving_an_audit_entry(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider, new Dictionary<string, string?> { ["Retention:Enabled"] = "false" });
        var admin = await host.ClientAsync("a");
        var otherWorkspace = await host.ClientAsync("b");
        var day = new DateTime(2026, 3, 2, 9, 0, 0, DateTimeKind.Utc);
        // Ana arrives twice (an email, a CRM id) and a third event ties the two profiles: one customer of two profiles.
        await PostAsync(admin,
            Event("e1", new JsonObject { ["email"] = "ana.secret@example.com" }, day, "My card number is stuck, call me"),
            Event("e2", new JsonObject { ["externalIds"] = new JsonObject { ["crm"] = "C-77" } }, day.AddDays(1)),
            Event("e3", new JsonObject { ["email"] = "ana.secret@example.com", ["externalIds"] = new JsonObject { ["crm"] = "C-77" } }, day.AddDays(2)),
            Event("e4", new JsonObject { ["email"] = "bob@example.com" }, day.AddDays(3), "All good"));
        var ana = (long)(await GetJsonAsync(admin, "/api/v1/customers?email=ana.secret@example.com"))["id"]!;
        var bob = (long)(await GetJsonAsync(admin, "/api/v1/customers?email=bob@example.com"))["id"]!;
        Assert.Equal(4, await TouchpointsInStoreAsync(host, admin));

        // Consent: refusing surveys opts Ana out of them too.
        var consent = await admin.PutAsJsonAsync($"/api/v1/customers/{ana}/consents/surveys", new { granted = false, source = "call 2026-03-05" });
        Assert.Equal(HttpStatusCode.OK, consent.StatusCode);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(admin.PutAsJsonAsync($"/api/v1/customers/{ana}/consents/profiling", new { granted = true })));
        var consents = (await admin.GetFromJsonAsync<JsonArray>($"/api/v1/customers/{ana}/consents"))!.ToDictionary(c => (string)c!["purpose"]!, c => c!["granted"]);
        Assert.False((bool)consents["surveys"]!);
        Assert.True((bool)consents["profiling"]!);
        Assert.Null(consents["marketing"]);
        await using (var db = host.Factory.CreateDbContext())
        {
            Assert.True(await db.SurveyOptOuts.AnyAsync(o => o.CustomerId == ana));
        }

        // The export holds every profile's identities and touchpoints (with their texts) and the consent history.
        var export = await GetJsonAsync(admin, $"/api/v1/customers/{ana}/export");
        Assert.Equal(ana, (long)export["customerId"]!);
        Assert.Equal(2, export["customerIds"]!.AsArray().Count);
        Assert.Equal(["e1", "e2", "e3"], export["touchpoints"]!.AsArray().Select(t => (string)t!["eventId"]!).ToArray());
        Assert.Equal("My card number is stuck, call me", (string)export["touchpoints"]![0]!["text"]!);
        var identities = export["identities"]!.AsArray().Select(i => $"{i!["kind"]}:{i["value"]}").ToList();
        Assert.Contains("email:ana.secret@example.com", identities);
        Assert.Contains(identities, i => i.EndsWith("C-77", StringComparison.Ordinal));
        Assert.Equal(2, export["consents"]!.AsArray().Count);
        Assert.NotNull(export["surveyOptOut"]);

        // Nobody else can export or erase her: another workspace does not see her, a reader lacks privacy:write.
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(otherWorkspace.GetAsync($"/api/v1/customers/{ana}/export")));
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(otherWorkspace.DeleteAsync($"/api/v1/customers/{ana}")));
        var reader = await host.ClientAsync("a", Scopes.CustomersRead);
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(reader.GetAsync($"/api/v1/customers/{ana}/export")));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(reader.DeleteAsync($"/api/v1/customers/{ana}")));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(reader.PutAsJsonAsync($"/api/v1/customers/{ana}/consents/surveys", new { granted = true })));

        // Erased by either of her ids: everything goes, in the analytics store too; Bob stays.
        var absorbed = export["customerIds"]!.AsArray().Select(i => (long)i!).Single(i => i != ana);
        var erased = await admin.DeleteAsync($"/api/v1/customers/{absorbed}?reason=request%20R-19");
        Assert.Equal(HttpStatusCode.OK, erased.StatusCode);
        var report = (await erased.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(3, (int)report["removed"]!["touchpoints"]!);
        Assert.Equal(2, (int)report["removed"]!["profiles"]!);
        Assert.Equal(2, (int)report["removed"]!["consents"]!);
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(admin.GetAsync($"/api/v1/customers/{ana}")));
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(admin.GetAsync($"/api/v1/customers/{absorbed}")));
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(admin.GetAsync("/api/v1/customers?email=ana.secret@example.com")));
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(admin.DeleteAsync($"/api/v1/customers/{ana}")));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(admin.GetAsync($"/api/v1/customers/{bob}")));
        Assert.Equal(1, await TouchpointsInStoreAsync(host, admin));
        await using (var db = host.Factory.CreateDbContext())
        {
            Assert.False(await db.Interactions.AnyAsync(i => i.EventId == "e1" || i.EventId == "e2" || i.EventId == "e3"));
            Assert.False(await db.Identities.AnyAsync(i => i.Value.Contains("ana.secret")));
            Assert.False(await db.SurveyOptOuts.AnyAsync(o => o.CustomerId == ana));
            Assert.Equal(2, await db.Erasures.CountAsync());
        }

        var entry = (await GetJsonAsync(admin, "/api/v1/audit?action=customer.erase"))["items"]![0]!;
        Assert.Equal($"customer:{ana}", (string)entry["target"]!);
        Assert.Contains("reason: request R-19", (string)entry["detail"]!, StringComparison.Ordinal);
        Assert.DoesNotContain("ana.secret", (string)entry["detail"]!, StringComparison.Ordinal);
        Assert.Single((await GetJsonAsync(admin, "/api/v1/audit?action=customer.export"))["items"]!.AsArray());

        if (provider == "sqlite")
        {
            // Secure delete and a truncating checkpoint: her address is in neither the database file nor its log.
            var file = host.Database.SqlitePath!;
            foreach (var path in new[] { file, file + "-wal" }.Where(File.Exists))
            {
                var bytes = await File.ReadAllBytesAsync(path);
                Assert.Equal(-1, bytes.AsSpan().IndexOf("ana.secret@example.com"u8));
            }
        }
    }

    [Fact]
    public async Task Bad_consent_and_erasure_requests_are_refused_by_field()
    {
        await using var host = await ApiHost.StartAsync("sqlite", new Dictionary<string, string?> { ["Retention:Enabled"] = "false" });
        var admin = await host.ClientAsync("a");
        await PostAsync(admin, Event("e1", new JsonObject { ["email"] = "c@example.com" }, new DateTime(2026, 3, 2, 0, 0, 0, DateTimeKind.Utc)));
        var id = (long)(await GetJsonAsync(admin, "/api/v1/customers?email=c@example.com"))["id"]!;

        async Task Refused(HttpResponseMessage response, string field)
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.NotNull((await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]![field]);
        }

        await Refused(await admin.PutAsJsonAsync($"/api/v1/customers/{id}/consents/newsletters", new { granted = true }), "purpose");
        await Refused(await admin.PutAsJsonAsync($"/api/v1/customers/{id}/consents/marketing", new { source = "web" }), "granted");
        await Refused(await admin.PutAsJsonAsync($"/api/v1/customers/{id}/consents/marketing", new { granted = true, source = new string('s', 201) }), "source");
        await Refused(await admin.DeleteAsync($"/api/v1/customers/{id}?reason=" + new string('r', 501)), "reason");
        var notJson = await admin.PutAsync($"/api/v1/customers/{id}/consents/marketing", new StringContent("{\"granted\": tru", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(admin.PutAsJsonAsync("/api/v1/customers/99999/consents/marketing", new { granted = true })));
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(admin.GetAsync("/api/v1/customers/99999/export")));
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(admin.GetAsync("/api/v1/customers/99999/consents")));
        // Nothing was recorded by the refused requests; granting surveys back lifts an opt-out.
        Assert.True((await admin.GetFromJsonAsync<JsonArray>($"/api/v1/customers/{id}/consents"))!.All(c => c!["granted"] is null));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(admin.PutAsJsonAsync($"/api/v1/customers/{id}/consents/surveys", new { granted = false })));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(admin.PutAsJsonAsync($"/api/v1/customers/{id}/consents/surveys", new { granted = true })));
        await using var db = host.Factory.CreateDbContext();
        Assert.False(await db.SurveyOptOuts.AnyAsync());
        Assert.Equal(2, await db.Consents.CountAsync());
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Retention_policies_delete_and_anonymise_what_is_older_than_their_months(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider, new Dictionary<string, string?> { ["Retention:Enabled"] = "false" });
        var admin = await host.ClientAsync("a");
        var now = DateTime.UtcNow;
        await PostAsync(admin,
            Event("old", new JsonObject { ["email"] = "old@example.com" }, now.AddMonths(-30), "an old complaint"),
            Event("mid", new JsonObject { ["email"] = "mid@example.com" }, now.AddMonths(-8), "a text from eight months ago"),
            Event("new", new JsonObject { ["email"] = "mid@example.com" }, now.AddDays(-3), "a recent text"));
        Assert.Equal(3, await TouchpointsInStoreAsync(host, admin));

        var bad = await admin.PutAsJsonAsync("/api/v1/retention", new JsonObject
        {
            ["policies"] = new JsonArray(
                new JsonObject { ["data"] = "touchpoints", ["months"] = 0 },
                new JsonObject { ["data"] = "cases", ["months"] = 12, ["action"] = "anonymise" },
                new JsonObject { ["data"] = "secrets", ["months"] = 12 }),
        });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject();
        Assert.Equal(["policies[0].months", "policies[1].action", "policies[2].data"], errors.Select(e => e.Key).Order(StringComparer.Ordinal).ToArray());
        Assert.Empty((await GetJsonAsync(admin, "/api/v1/retention"))["policies"]!.AsArray());

        var put = await admin.PutAsJsonAsync("/api/v1/retention", new JsonObject
        {
            ["policies"] = new JsonArray(
                new JsonObject { ["data"] = "touchpoints", ["months"] = 24, ["action"] = "delete" },
                new JsonObject { ["data"] = "texts", ["months"] = 6, ["action"] = "anonymise" }),
        });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var run = await (await admin.PostAsync("/api/v1/retention/run", null)).Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal(1, (int)run!["touchpoints"]!["rows"]!);
        Assert.Equal(1, (int)run["texts"]!["rows"]!);

        await using (var db = host.Factory.CreateDbContext())
        {
            var left = await db.Interactions.OrderBy(i => i.OccurredAt).Select(i => new { i.EventId, i.Text }).ToListAsync();
            Assert.Equal(["mid", "new"], left.Select(i => i.EventId).ToArray());
            Assert.Null(left[0].Text);
            Assert.Equal("a recent text", left[1].Text);
        }

        Assert.Equal(2, await TouchpointsInStoreAsync(host, admin));
        Assert.Contains("touchpoints delete 1", (string)(await GetJsonAsync(admin, "/api/v1/audit?action=retention.run"))["items"]![0]!["detail"]!, StringComparison.Ordinal);
        Assert.Contains("config.retention.create", (await GetJsonAsync(admin, "/api/v1/audit?action=config")).ToJsonString(), StringComparison.Ordinal);

        // A second run finds nothing more to do.
        var again = await (await admin.PostAsync("/api/v1/retention/run", null)).Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal(0, (int)again!["touchpoints"]!["rows"]!);
        Assert.Equal(0, (int)again["texts"]!["rows"]!);
    }
}
