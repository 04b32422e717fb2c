using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OpenCxo.App.Security;
using OpenCxo.Testing;

namespace OpenCxo.App.Tests.Api;

/// <summary>Issue 3's endpoints under the web UI: customer search, timeline filters, and the touchpoint list with its CSV.</summary>
public sealed class ExplorerApiTests
{
    public static IEnumerable<object[]> Providers => TestDatabases.Providers;

    private static JsonObject Event(string id, string email, string time, string department = "service", string channel = "phone",
        string type = "ticket.opened", decimal? value = null, string? currency = null, string? text = null, JsonObject? attributes = null, JsonObject? profile = null, string? crm = null)
    {
        var customer = new JsonObject { ["email"] = email };
        if (crm is not null) customer["externalIds"] = new JsonObject { ["crm"] = crm };
        if (profile is not null) customer["attributes"] = profile;
        var e = new JsonObject { ["id"] = id, ["customer"] = customer, ["occurredAt"] = time, ["department"] = department, ["channel"] = channel, ["type"] = type };
        if (value is not null) e["value"] = value;
        if (currency is not null) e["currency"] = currency;
        if (text is not null) e["text"] = text;
        if (attributes is not null) e["attributes"] = attributes;
        return e;
    }

    private static async Task PostAsync(HttpClient client, params JsonObject[] events)
    {
        var response = await client.PostAsJsonAsync("/api/v1/events", new JsonObject { ["events"] = new JsonArray([.. events]) });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(events.Length, (int)(await response.Content.ReadFromJsonAsync<JsonObject>())!["accepted"]!);
    }

    private static async Task<JsonNode> GetAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        Assert.True(response.IsSuccessStatusCode, $"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonNode>())!;
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Search_finds_customers_by_email_phone_external_id_number_and_part_of_a_name(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var client = await host.ClientAsync("a");
        await PostAsync(client,
            Event("e1", "ana.garcia@example.com", "2026-01-02T10:00:00Z", crm: "C-1001", profile: new JsonObject { ["name"] = "Ana García", ["company"] = "Hogar 50%_Seguro" }),
            Event("e2", "bruno@example.com", "2026-01-03T10:00:00Z", profile: new JsonObject { ["name"] = "Bruno Díaz" }));
        var ana = (long)(await GetAsync(client, "/api/v1/customers?email=ana.garcia@example.com"))["id"]!;

        async Task<List<(long Id, string By)>> SearchAsync(string q) =>
            [.. (await GetAsync(client, "/api/v1/customers/search?q=" + Uri.EscapeDataString(q))).AsArray().Select(m => ((long)m!["id"]!, (string)m["matchedBy"]!))];

        Assert.Equal([(ana, "email")], await SearchAsync(" ANA.Garcia@Example.com "));
        Assert.Equal([(ana, "externalId")], await SearchAsync("crm:C-1001"));
        Assert.Equal([(ana, "externalId")], await SearchAsync("C-1001"));
        Assert.Equal([(ana, "id")], await SearchAsync(ana.ToString(CultureInfo.InvariantCulture)));
        Assert.Equal([(ana, "name")], await SearchAsync("garcía"));
        Assert.Empty(await SearchAsync("nobody at all"));

        // LIKE wildcards in a query are literal characters, not patterns.
        Assert.Equal([(ana, "name")], await SearchAsync("50%_"));
        Assert.Empty(await SearchAsync("%"));
        Assert.Empty(await SearchAsync("_"));

        var match = (await GetAsync(client, "/api/v1/customers/search?q=bruno")).AsArray().Single()!;
        Assert.Equal("Bruno Díaz", (string)match["name"]!);
        Assert.Equal("bruno@example.com", (string)match["email"]!);

        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/v1/customers/search?q=")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/v1/customers/search?q=" + new string('x', 201))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/v1/customers/search?q=ana&limit=0")).StatusCode);

        // Another workspace finds nothing of workspace a.
        var other = await host.ClientAsync("b");
        Assert.Empty((await GetAsync(other, "/api/v1/customers/search?q=ana")).AsArray());
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Timeline_filters_by_department_and_channel(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var client = await host.ClientAsync("a");
        await PostAsync(client,
            Event("t1", "x@example.com", "2026-01-01T10:00:00Z", "sales", "phone", "deal.won"),
            Event("t2", "x@example.com", "2026-01-02T10:00:00Z", "service", "chat", "chat.completed"),
            Event("t3", "x@example.com", "2026-01-03T10:00:00Z", "service", "phone", "call.completed"),
            Event("t4", "x@example.com", "2026-01-04T10:00:00Z", "marketing", "email", "campaign.sent"));
        var id = (long)(await GetAsync(client, "/api/v1/customers?email=x@example.com"))["id"]!;

        async Task<string[]> IdsAsync(string query) =>
            [.. (await GetAsync(client, $"/api/v1/customers/{id}/timeline?{query}"))["items"]!.AsArray().Select(i => (string)i!["id"]!)];

        Assert.Equal(["t4", "t3", "t2", "t1"], await IdsAsync(""));
        Assert.Equal(["t3", "t2"], await IdsAsync("department=service"));
        Assert.Equal(["t3", "t1"], await IdsAsync("channel=phone"));
        Assert.Equal(["t3"], await IdsAsync("department=service&channel=phone"));
        Assert.Equal(["t4", "t3", "t2"], await IdsAsync("department=service&department=marketing"));
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync($"/api/v1/customers/{id}/timeline?department=finance")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync($"/api/v1/customers/{id}/timeline?channel=<script>")).StatusCode);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Interactions_are_filtered_sorted_paged_and_exported_as_the_same_rows(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var client = await host.ClientAsync("a");
        var start = new DateTime(2026, 2, 1, 0, 0, 0, DateTimeKind.Utc);
        var events = Enumerable.Range(0, 130).Select(i => Event(
            $"i{i:D3}", $"c{i % 9}@example.com", start.AddHours(i * 5).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            department: i % 3 == 0 ? "sales" : "service",
            channel: i % 2 == 0 ? "phone" : "chat",
            type: i % 3 == 0 ? "deal.won" : "call.completed",
            value: i % 3 == 0 ? 1000 + i : null,
            currency: i % 3 == 0 ? "EUR" : null,
            text: i == 7 ? "=HYPERLINK(\"http://evil\",\"click\"), said \"the\" customer\nnew line" : null,
            attributes: i % 3 == 0 ? new JsonObject { ["salesRep"] = "ana" } : new JsonObject { ["team"] = "L1", ["handleSeconds"] = 60 + i })).ToArray();
        await PostAsync(client, events);

        // Every sales touchpoint, by value descending, in pages of 20.
        var seen = new List<string>();
        for (var page = 1; ; page++)
        {
            var body = await GetAsync(client, $"/api/v1/interactions?from=2026-02-01&to=2026-03-31&department=sales&sort=-value&pageSize=20&page={page}");
            Assert.Equal(44, (long)body["total"]!);
            var items = body["items"]!.AsArray();
            seen.AddRange(items.Select(i => (string)i!["id"]!));
            if (items.Count < 20)
            {
                break;
            }
        }

        var expected = Enumerable.Range(0, 130).Where(i => i % 3 == 0).OrderByDescending(i => i).Select(i => $"i{i:D3}");
        Assert.Equal(expected, seen);

        // The CSV of a page is the JSON of the same page, field by field; formulas in customers' text are defused.
        const string query = "from=2026-02-01&to=2026-03-31&department=service&channel=chat&sort=occurredAt&pageSize=25&page=1";
        var json = (await GetAsync(client, "/api/v1/interactions?" + query))["items"]!.AsArray();
        var csvResponse = await client.GetAsync("/api/v1/interactions?format=csv&" + query);
        Assert.Equal("text/csv", csvResponse.Content.Headers.ContentType!.MediaType);
        var csv = CsvRecords(await csvResponse.Content.ReadAsStringAsync());
        Assert.Equal("id,occurredAt,customerId,department,channel,type,value,currency,campaign,salesRep,team,agent,handleSeconds,segment,text", string.Join(',', csv[0]));
        Assert.Equal(json.Count + 1, csv.Count);
        foreach (var (item, record) in json.Zip(csv.Skip(1)))
        {
            Assert.Equal((string)item!["id"]!, record[0]);
            Assert.Equal((DateTime)item["occurredAt"]!, DateTime.Parse(record[1], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal));
            Assert.Equal((long)item["customerId"]!, long.Parse(record[2], CultureInfo.InvariantCulture));
            Assert.Equal(((string)item["department"]!, (string)item["channel"]!, (string)item["type"]!), (record[3], record[4], record[5]));
            Assert.Equal(((string)item["team"]!, (int)item["handleSeconds"]!), (record[10], int.Parse(record[12], CultureInfo.InvariantCulture)));
        }

        var hostile = csv.Single(r => r[0] == "i007");
        Assert.Equal("'=HYPERLINK(\"http://evil\",\"click\"), said \"the\" customer\nnew line", hostile[14]);
        Assert.Equal("=HYPERLINK(\"http://evil\",\"click\"), said \"the\" customer\nnew line", (string)json.Single(i => (string)i!["id"]! == "i007")!["text"]!);

        // A customer's touchpoints only.
        var customer = (long)(await GetAsync(client, "/api/v1/customers?email=c4@example.com"))["id"]!;
        var mine = await GetAsync(client, $"/api/v1/interactions?from=2026-01-01&to=2026-12-31&customer={customer}&pageSize=1000");
        Assert.Equal(Enumerable.Range(0, 130).Count(i => i % 9 == 4), (long)mine["total"]!);
    }

    [Theory]
    [InlineData("sort=price", "sort")]
    [InlineData("sort=-", "sort")]
    [InlineData("pageSize=0", "pageSize")]
    [InlineData("pageSize=100000", "pageSize")]
    [InlineData("page=0", "page")]
    [InlineData("page=99999999", "page")]
    [InlineData("page=abc", "page")]
    [InlineData("from=2026-13-01", "from")]
    [InlineData("to=yesterday", "to")]
    [InlineData("department=finance", "department")]
    [InlineData("channel=%3Cscript%3E", "channel")]
    [InlineData("customer=-1", "customer")]
    [InlineData("format=xml", "format")]
    public async Task A_bad_query_gets_a_problem_naming_the_parameter(string query, string field)
    {
        await using var host = await ApiHost.StartAsync("sqlite");
        var client = await host.ClientAsync("a");
        var response = await client.GetAsync("/api/v1/interactions?" + query);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.True(problem["errors"]!.AsObject().ContainsKey(field), problem.ToJsonString());
    }

    [Fact]
    public async Task The_list_needs_a_key_with_customer_access_and_the_export_needs_a_signed_in_person()
    {
        await using var host = await ApiHost.StartAsync("sqlite");
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.AnonymousClient().GetAsync("/api/v1/interactions")).StatusCode);
        var statsOnly = await host.ClientAsync("a", Scopes.StatsRead);
        Assert.Equal(HttpStatusCode.Forbidden, (await statsOnly.GetAsync("/api/v1/interactions")).StatusCode);

        // The UI's export is for people: without a session, with or without an API key, it sends to the login page.
        var admin = await host.ClientAsync("a");
        foreach (var client in new[] { admin, host.AnonymousClient() })
        {
            var response = await client.GetAsync("/export/touchpoints.csv");
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal("/login", response.Headers.Location!.AbsolutePath);
        }
    }

    /// <summary>An RFC 4180 reader written here, independent of the writer under test.</summary>
    private static List<string[]> CsvRecords(string text)
    {
        var records = new List<string[]>();
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                fields.Add(field.ToString());
                field.Clear();
                records.Add([.. fields]);
                fields.Clear();
                i++;
            }
            else
            {
                field.Append(c);
            }
        }

        return records;
    }
}
