using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OpenCxo.App.Security;

namespace OpenCxo.App.Tests.Api;

/// <summary>
/// Issue 9's access matrix: every endpoint × every scope, each answer checked against the permission table in
/// docs/security.md (the specification, written by hand), and a key of another workspace reads nothing of this one's.
/// The web UI's pages × roles are checked by the end-to-end AccessTests.
/// </summary>
public sealed partial class AccessMatrixTests
{
    private sealed record Permission(string Method, string Path, string Needs);

    private static List<Permission> Table()
    {
        var doc = File.ReadAllText(Path.Combine(RepoFiles.Root(), "docs", "security.md"));
        var start = doc.IndexOf("<!-- permissions:start -->", StringComparison.Ordinal);
        var end = doc.IndexOf("<!-- permissions:end -->", StringComparison.Ordinal);
        Assert.True(start > 0 && end > start, "docs/security.md has no permission table");
        return [.. doc[start..end].Split('\n').Select(l => Row().Match(l)).Where(m => m.Success)
            .Select(m => new Permission(m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value.Trim().Trim('`')))];
    }

    [GeneratedRegex(@"^\| ([A-Z/]+) \| `([^`]+)` \| (.+) \|$")]
    private static partial Regex Row();

    /// <summary>What the running server requires of each endpoint, read from its endpoint metadata.</summary>
    private static List<Permission> Served(IServiceProvider services) =>
        [.. services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } path && (path.StartsWith("/api/", StringComparison.Ordinal) || path.StartsWith("/export/", StringComparison.Ordinal)))
            .Select(e => new Permission(
                string.Join('/', e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"]),
                e.RoutePattern.RawText!,
                string.Join(',', e.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy ?? "(any)"))))];

    /// <summary>Route values any request can use: the same shape as real ones, for things that may not exist.</summary>
    private static string Concrete(string path, long customer = 1, string key = "none") =>
        path.Replace("{id:long}", customer.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{key}", key, StringComparison.Ordinal)
            .Replace("{purpose}", "marketing", StringComparison.Ordinal)
            .Replace("{name}", "nps", StringComparison.Ordinal)
            .Replace("{department}", "service", StringComparison.Ordinal);

    private static HttpRequestMessage Request(string method, string path)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method is "POST" or "PUT")
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }

        return request;
    }

    /// <summary>Whether a key with only <paramref name="scope"/> may call an endpoint that needs <paramref name="needs"/>.</summary>
    private static bool Allows(string scope, string needs) =>
        scope == Scopes.Admin || scope == needs || (needs == Scopes.SurveysRead && scope == Scopes.SurveysWrite);

    [Fact]
    public async Task Every_endpoint_is_in_the_table_and_every_scope_gets_exactly_what_the_table_gives()
    {
        await using var host = await ApiHost.StartAsync("sqlite", new Dictionary<string, string?>
        {
            ["Kpis:Evaluate"] = "false", ["Predictions:Run"] = "false", ["Retention:Enabled"] = "false",
        });
        var table = Table();
        var served = Served(host.Services);
        Assert.True(served.Count > 80, $"only {served.Count} endpoints found");
        foreach (var endpoint in served)
        {
            var row = table.SingleOrDefault(r => r.Method == endpoint.Method && r.Path == endpoint.Path);
            Assert.True(row is not null, $"{endpoint.Method} {endpoint.Path} is not in docs/security.md's permission table");
            Assert.True(row.Needs == endpoint.Needs, $"{endpoint.Method} {endpoint.Path}: the table says {row.Needs}, the server requires {endpoint.Needs}");
        }

        var keys = new Dictionary<string, HttpClient>();
        foreach (var scope in Scopes.All)
        {
            keys[scope] = await host.ClientAsync("a", scope);
        }

        var anonymous = host.AnonymousClient();
        var checkedCalls = 0;
        foreach (var row in table.Where(r => r.Path.StartsWith("/api/", StringComparison.Ordinal)))
        {
            var path = Concrete(row.Path);
            using (var response = await anonymous.SendAsync(Request(row.Method, path)))
            {
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"anonymous {row.Method} {path}: {(int)response.StatusCode}");
            }

            foreach (var (scope, client) in keys)
            {
                using var response = await client.SendAsync(Request(row.Method, path));
                var status = (int)response.StatusCode;
                if (Allows(scope, row.Needs))
                {
                    Assert.True(status is not (401 or 403) && status < 500, $"{scope} {row.Method} {path}: {status} {await response.Content.ReadAsStringAsync()}");
                }
                else
                {
                    Assert.True(status == 403, $"{scope} {row.Method} {path}: {status}, the table allows only {row.Needs}");
                }

                checkedCalls++;
            }
        }

        // The UI's downloads answer to a signed-in person only: a key is sent to sign in, never given the file.
        foreach (var row in table.Where(r => r.Path.StartsWith("/export/", StringComparison.Ordinal)))
        {
            using var response = await keys[Scopes.Admin].GetAsync(row.Path);
            Assert.False(response.IsSuccessStatusCode, $"a key downloaded {row.Path}");
        }

        Assert.True(checkedCalls > 80 * Scopes.All.Length, $"{checkedCalls} calls checked");
    }

    [Fact]
    public async Task A_key_of_another_workspace_reads_nothing_of_this_one()
    {
        await using var host = await ApiHost.StartAsync("sqlite", new Dictionary<string, string?>
        {
            ["Kpis:Evaluate"] = "false", ["Predictions:Run"] = "false", ["Retention:Enabled"] = "false",
        });
        var mine = await host.ClientAsync("a");
        var theirs = await host.ClientAsync("b");

        // Workspace a: a customer with a marked address and text, a KPI, a survey, a promise, consent.
        const string Marker = "zebracorn";
        var events = new JsonArray([.. Enumerable.Range(0, 12).Select(i => (JsonNode)new JsonObject
        {
            ["id"] = $"a-{i}", ["customer"] = new JsonObject { ["email"] = $"{Marker}{i % 3}@a.example", ["attributes"] = new JsonObject { ["name"] = "Ana " + Marker } },
            ["occurredAt"] = $"2026-05-{i + 1:D2}T10:00:00Z", ["department"] = i % 2 == 0 ? "service" : "sales",
            ["channel"] = "phone", ["type"] = i % 2 == 0 ? "ticket.resolved" : "deal.won", ["text"] = $"{Marker} is unhappy with the {Marker} plan",
            ["value"] = i % 2 == 0 ? null : 100, ["currency"] = i % 2 == 0 ? null : "EUR",
        })]);
        Assert.Equal(HttpStatusCode.OK, (await mine.PostAsJsonAsync("/api/v1/events", new JsonObject { ["events"] = events })).StatusCode);
        var customer = (long)(await mine.GetFromJsonAsync<JsonObject>($"/api/v1/customers?email={Marker}0@a.example"))!["id"]!;
        Assert.Equal(HttpStatusCode.Created, (await mine.PostAsJsonAsync("/api/v1/kpis", new JsonObject
        {
            ["key"] = Marker, ["name"] = Marker, ["metric"] = "nps", ["target"] = new JsonObject { ["value"] = 30 }, ["owner"] = "marketing",
            ["raci"] = new JsonObject { ["accountable"] = new JsonArray("marketing") },
        })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await mine.PutAsJsonAsync($"/api/v1/customers/{customer}/consents/marketing", new { granted = true, source = Marker })).StatusCode);
        // Workspace a can read its own marker: the check below could fail.
        Assert.Contains(Marker, await mine.GetStringAsync($"/api/v1/customers/{customer}"), StringComparison.Ordinal);

        var reads = 0;
        foreach (var row in Table().Where(r => r.Method == "GET" && r.Path.StartsWith("/api/", StringComparison.Ordinal)))
        {
            var path = Concrete(row.Path, customer, Marker) + (row.Path.Contains("/export", StringComparison.Ordinal) ? "?format=json" : "");
            using var response = await theirs.GetAsync(path);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True((int)response.StatusCode < 500, $"{path}: {(int)response.StatusCode}");
            // A 404 may repeat the key it was asked for; any other answer must hold none of a's data.
            Assert.False(response.StatusCode != HttpStatusCode.NotFound && body.Contains(Marker, StringComparison.OrdinalIgnoreCase),
                $"workspace b read workspace a's data at {path}: {body[..Math.Min(300, body.Length)]}");
            if (row.Path.Contains("{id:long}", StringComparison.Ordinal) || row.Path.Contains("{key}", StringComparison.Ordinal))
            {
                Assert.True(response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest, $"{path}: {(int)response.StatusCode}");
            }

            reads++;
        }

        // Nor by search or lookup.
        Assert.Empty((await theirs.GetFromJsonAsync<JsonArray>($"/api/v1/customers/search?q={Marker}"))!);
        Assert.Equal(HttpStatusCode.NotFound, (await theirs.GetAsync($"/api/v1/customers?email={Marker}0@a.example")).StatusCode);
        Assert.True(reads > 40, $"{reads} reads");
    }
}
