using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace OpenCxo.App.Tests.Api;

/// <summary>
/// Issue 9: every endpoint of the permission table, and the public survey pages, fed malformed, oversized and hostile
/// input — SQL and script injection, path traversal, huge and non-finite numbers, deep JSON, invalid UTF-8, wrong
/// content types — must answer without a single 5xx, and the server must still work afterwards.
/// </summary>
public sealed partial class FuzzTests
{
    private static readonly string[] HostileTexts =
    [
        "' OR '1'='1' --", "1; DROP TABLE interactions; --", "\") OR 1=1 --", "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>",
        "../../../../etc/passwd", "..\\..\\windows\\win.ini", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "\0", "💥🧨\u202e", "${jndi:ldap://x/a}",
        "{{7*7}}", "9223372036854775808", "-9223372036854775809", "1e309", "-0", "NaN", "Infinity", "", " ", new string('x', 20_000),
    ];

    private static readonly string[] QueryNames =
    [
        "from", "to", "limit", "page", "pageSize", "sort", "by", "groupBy", "granularity", "metric", "q", "cursor", "format", "department",
        "channel", "segment", "type", "customer", "survey", "team", "week", "status", "before", "actor", "action", "target", "email", "phone",
        "externalId", "reason", "minimumN", "asOf", "stage", "horizon",
    ];

    private static IEnumerable<string> Bodies()
    {
        yield return "{}";
        yield return "[]";
        yield return "null";
        yield return "\"text\"";
        yield return "{\"events\": [";
        yield return "{\"key\": 1e400, \"value\": -1e400, \"months\": 99999999999999999999}";
        yield return new string('[', 5_000) + new string(']', 5_000);
        yield return "{\"a\":" + string.Concat(Enumerable.Repeat("{\"a\":", 2_000)) + "1" + new string('}', 2_001);
        foreach (var text in HostileTexts.Take(12))
        {
            var value = JsonValue.Create(text);
            yield return new JsonObject
            {
                ["key"] = value.DeepClone(), ["name"] = value.DeepClone(), ["metric"] = value.DeepClone(), ["text"] = value.DeepClone(),
                ["events"] = new JsonArray(new JsonObject { ["id"] = value.DeepClone(), ["customer"] = new JsonObject { ["email"] = value.DeepClone() } }),
                ["policies"] = new JsonArray(new JsonObject { ["data"] = value.DeepClone(), ["months"] = value.DeepClone() }),
                ["granted"] = value.DeepClone(), ["target"] = new JsonObject { ["value"] = value.DeepClone() },
            }.ToJsonString();
        }
    }

    /// <summary>The path with hostile route values. A NUL is sent in the query only: the in-memory test server refuses it in a path before any code of ours runs (Kestrel answers 400).</summary>
    private static string Concrete(string path, string value) =>
        value.Contains('\0', StringComparison.Ordinal) ? Concrete(path, "nul") : RouteParameter().Replace(path, match => match.Value.Contains(":long", StringComparison.Ordinal) ? "9223372036854775807" : Uri.EscapeDataString(value));

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex RouteParameter();

    private static async Task ExpectNo5xxAsync(HttpClient client, HttpRequestMessage request, List<string> failures)
    {
        var what = $"{request.Method} {request.RequestUri}";
        try
        {
            using var response = await client.SendAsync(request);
            if ((int)response.StatusCode >= 500)
            {
                failures.Add($"{what}: {(int)response.StatusCode} {(await response.Content.ReadAsStringAsync())[..Math.Min(200, (int)(response.Content.Headers.ContentLength ?? 200))]}");
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            failures.Add($"{what}: {e.GetType().Name} {e.Message}");
        }
    }

    [Fact]
    public async Task No_endpoint_answers_hostile_input_with_a_server_error()
    {
        await using var host = await ApiHost.StartAsync("sqlite", new Dictionary<string, string?>
        {
            ["Kpis:Evaluate"] = "false", ["Predictions:Run"] = "false", ["Retention:Enabled"] = "false",
            ["Security:RateLimits:KeyBurst"] = "100000", ["Security:RateLimits:AddressBurst"] = "100000",
        });
        var client = await host.ClientAsync("a");
        var anonymous = host.AnonymousClient();
        var seed = new JsonArray([.. Enumerable.Range(0, 30).Select(i => (JsonNode)new JsonObject
        {
            ["id"] = $"s{i}", ["customer"] = new JsonObject { ["email"] = $"c{i % 5}@example.com" }, ["occurredAt"] = $"2026-04-{i % 28 + 1:D2}T08:00:00Z",
            ["department"] = "service", ["channel"] = "email", ["type"] = "ticket.resolved", ["text"] = "slow and rude <b>service</b>",
        })]);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/v1/events", new JsonObject { ["events"] = seed })).StatusCode);

        var failures = new List<string>();
        var random = new Random(9);
        var rows = File.ReadAllLines(Path.Combine(RepoFiles.Root(), "docs", "security.md"))
            .Select(l => Regex.Match(l, @"^\| ([A-Z/]+) \| `([^`]+)` \|"))
            .Where(m => m.Success && m.Groups[2].Value.StartsWith("/api/", StringComparison.Ordinal))
            .Select(m => (Method: m.Groups[1].Value, Path: m.Groups[2].Value))
            .ToList();
        Assert.True(rows.Count > 80);
        var requests = 0;
        foreach (var (method, path) in rows)
        {
            foreach (var text in HostileTexts)
            {
                // Hostile route values and query parameters, a few names at a time.
                var query = string.Join('&', QueryNames.OrderBy(_ => random.Next()).Take(4).Select(n => $"{n}={Uri.EscapeDataString(text)}"));
                var request = new HttpRequestMessage(new HttpMethod(method), Concrete(path, text) + "?" + query);
                if (method is "POST" or "PUT")
                {
                    request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
                }

                await ExpectNo5xxAsync(client, request, failures);
                requests++;
            }

            if (method is "POST" or "PUT" or "DELETE")
            {
                foreach (var body in Bodies())
                {
                    var request = new HttpRequestMessage(new HttpMethod(method), Concrete(path, "k"))
                    {
                        Content = new StringContent(body, Encoding.UTF8, "application/json"),
                    };
                    await ExpectNo5xxAsync(client, request, failures);
                    requests++;
                }

                // Invalid UTF-8, a body far over any limit, and the wrong content type.
                foreach (var content in new HttpContent[]
                {
                    new ByteArrayContent([0x7B, 0x22, 0xC3, 0x28, 0xFF, 0xFE, 0x22, 0x7D]) { Headers = { ContentType = new("application/json") } },
                    new ByteArrayContent(Encoding.UTF8.GetBytes("{\"x\":\"" + new string('a', 12_000_000) + "\"}")) { Headers = { ContentType = new("application/json") } },
                    new StringContent("<xml/>", Encoding.UTF8, "application/xml"),
                    new FormUrlEncodedContent([new("granted", "true")]),
                })
                {
                    await ExpectNo5xxAsync(client, new HttpRequestMessage(new HttpMethod(method), Concrete(path, "k")) { Content = content }, failures);
                    requests++;
                }
            }
        }

        // The public survey pages, which anyone can reach.
        foreach (var text in HostileTexts)
        {
            var token = Uri.EscapeDataString(text.Contains('\0', StringComparison.Ordinal) ? "nul" : text);
            await ExpectNo5xxAsync(anonymous, new HttpRequestMessage(HttpMethod.Get, $"/s/{token}?lang={token}"), failures);
            await ExpectNo5xxAsync(anonymous, new HttpRequestMessage(HttpMethod.Post, $"/s/{token}") { Content = new FormUrlEncodedContent([new("q1", text), new("score", text)]) }, failures);
            await ExpectNo5xxAsync(anonymous, new HttpRequestMessage(HttpMethod.Post, $"/s/{token}/answers") { Content = new StringContent(text, Encoding.UTF8, "application/json") }, failures);
            await ExpectNo5xxAsync(anonymous, new HttpRequestMessage(HttpMethod.Post, $"/s/{token}/opt-out"), failures);
            requests += 4;
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {requests} requests failed:\n" + string.Join('\n', failures.Take(30)));

        // Still healthy, and nothing the fuzzing sent was stored as an event.
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/healthz")).StatusCode);
        var page = await client.GetFromJsonAsync<JsonObject>("/api/v1/interactions?from=2000-01-01&to=2100-01-01");
        Assert.True((long)page!["total"]! >= 30);
    }
}
