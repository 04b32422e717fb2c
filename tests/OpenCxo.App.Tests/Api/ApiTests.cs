using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using OpenCxo.App.Security;
using OpenCxo.Testing;

namespace OpenCxo.App.Tests.Api;

/// <summary>The HTTP contract of issue 2, run against SQLite and against a real PostgreSQL server.</summary>
public sealed class ApiTests
{
    public static IEnumerable<object[]> Providers => TestDatabases.Providers;

    private static JsonObject Event(string id, string? email = null, string? phone = null, string? crm = null,
        string time = "2026-03-02T03:14:00Z", string department = "service", string channel = "phone", string type = "ticket.resolved",
        decimal? value = null, string? currency = null, string? text = null, JsonObject? profile = null)
    {
        var customer = new JsonObject();
        if (email is not null) customer["email"] = email;
        if (phone is not null) customer["phone"] = phone;
        if (crm is not null) customer["externalIds"] = new JsonObject { ["crm"] = crm };
        if (profile is not null) customer["attributes"] = profile;
        var e = new JsonObject
        {
            ["id"] = id, ["customer"] = customer, ["occurredAt"] = time,
            ["department"] = department, ["channel"] = channel, ["type"] = type,
        };
        if (value is not null) e["value"] = value;
        if (currency is not null) e["currency"] = currency;
        if (text is not null) e["text"] = text;
        return e;
    }

    private static async Task<JsonObject> PostAsync(HttpClient client, params JsonObject[] events)
    {
        var response = await client.PostAsJsonAsync("/api/v1/events", new JsonObject { ["events"] = new JsonArray([.. events]) });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private static async Task<JsonObject> GetJsonAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        Assert.True(response.IsSuccessStatusCode, $"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    [Theory]
    [InlineData("lots")]
    [InlineData("10MB")]
    public async Task A_server_with_a_bad_analytics_memory_limit_does_not_start_and_names_the_setting(string limit)
    {
        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            ApiHost.StartAsync("sqlite", new Dictionary<string, string?> { ["Analytics:MemoryLimit"] = limit }));
        Assert.Contains("Analytics:MemoryLimit", error.Message, StringComparison.Ordinal);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Events_are_accepted_deduplicated_and_rejected_one_by_one(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var client = await host.ClientAsync("a", Scopes.EventsWrite);

        var bad = Event("e3", email: "no-at-sign");
        bad["department"] = "finance";
        var first = await PostAsync(client, Event("e1", email: "ana@example.com"), Event("e2", email: "ana@example.com"), bad, Event("e1", email: "ana@example.com"));
        Assert.Equal(2, (int)first["accepted"]!);
        Assert.Equal(1, (int)first["duplicates"]!);
        var rejected = first["rejected"]!.AsArray().Select(r => (Index: (int)r!["index"]!, Field: (string)r["field"]!)).ToList();
        Assert.Contains((2, "customer.email"), rejected);
        Assert.Contains((2, "department"), rejected);

        var again = await PostAsync(client, Event("e1", email: "ana@example.com"), Event("e2", email: "ana@example.com"));
        Assert.Equal(0, (int)again["accepted"]!);
        Assert.Equal(2, (int)again["duplicates"]!);

        await using var db = host.Factory.CreateDbContext();
        Assert.Equal(2, await db.Interactions.CountAsync());
        Assert.Equal(1, await db.Customers.CountAsync());
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Racing_requests_with_the_same_event_ids_store_each_event_once(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var client = await host.ClientAsync("a", Scopes.EventsWrite);
        var events = Enumerable.Range(0, 200).Select(i => Event($"race-{i}", email: $"c{i % 20}@example.com")).ToArray();
        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => PostAsync(client, [.. events.Select(e => (JsonObject)e.DeepClone())])));

        Assert.Equal(200, responses.Sum(r => (int)r["accepted"]!));
        Assert.Equal(5 * 200, responses.Sum(r => (int)r["duplicates"]!));
        await using var db = host.Factory.CreateDbContext();
        Assert.Equal(200, await db.Interactions.CountAsync());
        Assert.Equal(20, await db.Customers.CountAsync());
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Bad_bodies_get_problem_details(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var client = await host.ClientAsync("a", Scopes.EventsWrite);

        var notJson = await client.PostAsync("/api/v1/events", new StringContent("{\"events\": [\n  {\"id\": \"x\",, }]}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        Assert.Equal("application/problem+json", notJson.Content.Headers.ContentType?.MediaType);
        var problem = (await notJson.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Contains("line 2", (string)problem["detail"]!, StringComparison.Ordinal);

        var noArray = await client.PostAsync("/api/v1/events", new StringContent("{\"events\": {}}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, noArray.StatusCode);

        var tooMany = new JsonObject { ["events"] = new JsonArray([.. Enumerable.Range(0, 10_001).Select(i => (JsonNode)new JsonObject { ["id"] = i })]) };
        var many = await client.PostAsJsonAsync("/api/v1/events", tooMany);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, many.StatusCode);
        Assert.Contains("10000", (string)(await many.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!, StringComparison.Ordinal);

        var huge = "{\"events\":[{\"id\":\"big\",\"text\":\"" + new string('x', 11 * 1024 * 1024) + "\"}]}";
        var large = await client.PostAsync("/api/v1/events", new StringContent(huge, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, large.StatusCode);

        var invalidUtf8 = Encoding.UTF8.GetBytes("{\"events\":[{\"id\":\"bad-\u00e9\"}]}").ToList();
        invalidUtf8.InsertRange(20, new byte[] { 0xC3, 0x28 });
        var notUtf8 = await client.PostAsync("/api/v1/events", new ByteArrayContent([.. invalidUtf8]) { Headers = { ContentType = new("application/json") } });
        Assert.Equal(HttpStatusCode.BadRequest, notUtf8.StatusCode);
        Assert.Contains("UTF-8", (string)(await notUtf8.Content.ReadFromJsonAsync<JsonObject>())!["title"]!, StringComparison.Ordinal);

        var surrogate = "{\"events\":[" + Event("lone", email: "s@example.com").ToJsonString().Replace("\"lone\"", "\"lone\\ud800\"", StringComparison.Ordinal) + "," + Event("fine", email: "s@example.com").ToJsonString() + "]}";
        var halfPair = await client.PostAsync("/api/v1/events", new StringContent(surrogate, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, halfPair.StatusCode);
        var halfPairResult = (await halfPair.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(1, (int)halfPairResult["accepted"]!);
        Assert.Equal(0, (int)halfPairResult["rejected"]![0]!["index"]!);
        Assert.Equal("id", (string)halfPairResult["rejected"]![0]!["field"]!);

        // 1 MB text: within the body limit, rejected by the field limit, the other event still stored.
        var result = await PostAsync(client, Event("long", email: "a@example.com", text: new string('y', 1_000_000)), Event("short", email: "a@example.com"));
        Assert.Equal(1, (int)result["accepted"]!);
        Assert.Equal("text", (string)result["rejected"]![0]!["field"]!);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Keys_need_the_right_scope_and_see_only_their_workspace(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var writerA = await host.ClientAsync("a", Scopes.EventsWrite);
        var readerA = await host.ClientAsync("a", Scopes.CustomersRead, Scopes.StatsRead);
        var adminB = await host.ClientAsync("b", Scopes.Admin);

        Assert.Equal(HttpStatusCode.Unauthorized, (await host.AnonymousClient().GetAsync("/api/v1/customers/1")).StatusCode);
        var forged = host.AnonymousClient();
        forged.DefaultRequestHeaders.Authorization = new("Bearer", "cxo_not-a-real-key");
        Assert.Equal(HttpStatusCode.Unauthorized, (await forged.GetAsync("/api/v1/customers/1")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await writerA.GetAsync("/api/v1/customers/1")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await readerA.PostAsJsonAsync("/api/v1/events", new { events = Array.Empty<object>() })).StatusCode);

        await PostAsync(writerA, Event("a1", email: "shared@example.com", value: 10m, currency: "EUR", type: "order.placed", department: "sales", channel: "web"));
        await PostAsync(adminB, Event("b1", email: "shared@example.com"), Event("b2", email: "only-b@example.com"));

        var a = await GetJsonAsync(readerA, "/api/v1/customers?email=shared@example.com");
        var b = await GetJsonAsync(adminB, "/api/v1/customers?email=shared@example.com");
        Assert.NotEqual((long)a["id"]!, (long)b["id"]!);
        Assert.Equal(HttpStatusCode.NotFound, (await readerA.GetAsync($"/api/v1/customers/{(long)b["id"]!}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await readerA.GetAsync($"/api/v1/customers/{(long)b["id"]!}/timeline")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await readerA.GetAsync("/api/v1/customers?email=only-b@example.com")).StatusCode);

        // Re-sending B's event id in A is a new event for A: ids are per workspace.
        var reuse = await PostAsync(writerA, Event("b1", email: "x@example.com"));
        Assert.Equal(1, (int)reuse["accepted"]!);

        var statsA = await GetJsonAsync(readerA, "/api/v1/stats/interactions?groupBy=department");
        var total = statsA["groups"]!.AsArray().Sum(g => (long)g!["count"]!);
        Assert.Equal(2, total);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Identities_resolve_to_one_customer_and_merges_join_timelines(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var client = await host.ClientAsync("a");
        await PostAsync(client,
            Event("m1", email: " Ana@Example.COM ", time: "2025-01-01T10:00:00Z", profile: new JsonObject { ["name"] = "Ana", ["language"] = "es" }),
            Event("m2", phone: "600 111 222", time: "2025-02-01T10:00:00+01:00", type: "order.placed", department: "sales", channel: "store", value: 100.5m, currency: "EUR"),
            Event("m3", crm: "C-1001", time: "2025-03-01T10:00:00Z", type: "refund.issued", department: "service", value: 20.25m, currency: "EUR"));
        var byEmail = await GetJsonAsync(client, "/api/v1/customers?email=ana@example.com");
        var byPhone = await GetJsonAsync(client, "/api/v1/customers?phone=%2B34600111222");
        Assert.NotEqual((long)byEmail["id"]!, (long)byPhone["id"]!);

        // One event carrying email, phone and crm id ties the three profiles together; the oldest (email, January) survives.
        await PostAsync(client, Event("m4", email: "ana@example.com", phone: "+34 600 111 222", crm: "C-1001", time: "2025-04-01T10:00:00Z",
            profile: new JsonObject { ["language"] = "en" }));
        var merged = await GetJsonAsync(client, "/api/v1/customers?externalId=crm:C-1001");
        Assert.Equal((long)byEmail["id"]!, (long)merged["id"]!);
        Assert.Equal(["ana@example.com"], merged["emails"]!.AsArray().Select(x => (string)x!));
        Assert.Equal(["+34600111222"], merged["phones"]!.AsArray().Select(x => (string)x!));
        Assert.Equal("C-1001", (string)merged["externalIds"]!["crm"]![0]!);
        Assert.Equal(2, merged["merges"]!.AsArray().Count);
        Assert.Equal(4, (long)merged["touchpoints"]!["total"]!);
        Assert.Equal(3, (long)merged["touchpoints"]!["byDepartment"]!["service"]!);
        Assert.Equal(1, (long)merged["touchpoints"]!["byChannel"]!["store"]!);
        Assert.Equal("Ana", (string)merged["attributes"]!["name"]!);
        Assert.Equal("en", (string)merged["attributes"]!["language"]!);
        Assert.Equal(DateTime.Parse("2025-01-01T10:00:00Z", null, System.Globalization.DateTimeStyles.AdjustToUniversal), (DateTime)merged["firstSeen"]!);
        var ltv = merged["lifetimeValue"]!.AsArray().Single()!;
        Assert.Equal(100.5m, (decimal)ltv["purchases"]!);
        Assert.Equal(20.25m, (decimal)ltv["refunds"]!);
        Assert.Equal(80.25m, (decimal)ltv["net"]!);

        // The absorbed id still answers, with the survivor.
        var absorbed = (long)byPhone["id"]!;
        Assert.Equal((long)merged["id"]!, (long)(await GetJsonAsync(client, $"/api/v1/customers/{absorbed}"))["id"]!);
        var timeline = await GetJsonAsync(client, $"/api/v1/customers/{absorbed}/timeline");
        Assert.Equal(["m4", "m3", "m2", "m1"], timeline["items"]!.AsArray().Select(x => (string)x!["id"]!));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Timeline_pages_cover_every_touchpoint_once_newest_first(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var client = await host.ClientAsync("a");
        var start = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        // 57 events, some sharing a time so the cursor must break ties by sequence.
        var events = Enumerable.Range(0, 57)
            .Select(i => Event($"t{i}", email: "pager@example.com", time: start.AddHours(i / 3).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture)))
            .ToArray();
        await PostAsync(client, events);
        var id = (long)(await GetJsonAsync(client, "/api/v1/customers?email=pager@example.com"))["id"]!;

        var seen = new List<(string Id, DateTime Time)>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await GetJsonAsync(client, $"/api/v1/customers/{id}/timeline?limit=10" + (cursor is null ? "" : "&cursor=" + cursor));
            seen.AddRange(page["items"]!.AsArray().Select(x => ((string)x!["id"]!, (DateTime)x["occurredAt"]!)));
            cursor = (string?)page["nextCursor"];
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(6, pages);
        Assert.Equal(57, seen.Select(s => s.Id).Distinct().Count());
        Assert.True(seen.Zip(seen.Skip(1)).All(p => p.First.Time >= p.Second.Time));

        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync($"/api/v1/customers/{id}/timeline?cursor=garbage!!")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync($"/api/v1/customers/{id}/timeline?limit=0")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/v1/customers?email=a@b.com&phone=123")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/v1/customers?externalId=nocolon")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/v1/customers/987654")).StatusCode);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Interaction_stats_come_from_the_analytics_store(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var client = await host.ClientAsync("a");
        await PostAsync(client,
            Event("s1", email: "a@example.com", time: "2025-05-01T10:00:00Z", department: "sales", channel: "web", type: "order.placed", value: 10.10m, currency: "EUR"),
            Event("s2", email: "b@example.com", time: "2025-05-01T23:59:59Z", department: "sales", channel: "store", type: "order.placed", value: 5.05m, currency: "EUR"),
            Event("s3", email: "a@example.com", time: "2025-05-02T00:00:00Z", department: "service", channel: "phone", type: "call.completed"),
            Event("s4", email: "c@example.com", time: "2025-05-03T00:00:00Z", department: "marketing", channel: "email", type: "campaign.sent"));

        var byDepartment = await GetJsonAsync(client, "/api/v1/stats/interactions?groupBy=department&from=2025-05-01T00:00:00Z&to=2025-05-03T00:00:00Z");
        var groups = byDepartment["groups"]!.AsArray().ToDictionary(g => (string)g!["key"]!, g => g!);
        Assert.Equal(["sales", "service"], groups.Keys.Order());
        Assert.Equal(2, (long)groups["sales"]["count"]!);
        Assert.Equal(15.15m, (decimal)groups["sales"]["values"]![0]!["sum"]!);

        var byDay = await GetJsonAsync(client, "/api/v1/stats/interactions?groupBy=day");
        Assert.Equal(["2025-05-01", "2025-05-02", "2025-05-03"], byDay["groups"]!.AsArray().Select(g => (string)g!["key"]!));
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/v1/stats/interactions?groupBy=moon")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/v1/stats/interactions?from=2025-05-03T00:00:00Z&to=2025-05-01T00:00:00Z")).StatusCode);
    }

    [Fact]
    public async Task The_OpenAPI_document_lists_the_endpoints()
    {
        await using var host = await ApiHost.StartAsync("sqlite");
        var document = await host.AnonymousClient().GetFromJsonAsync<JsonDocument>("/openapi/v1.json");
        var paths = document!.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/v1/events", paths);
        Assert.Contains("/api/v1/customers/{id}/timeline", paths);
        Assert.Contains("/api/v1/stats/interactions", paths);
    }
}
