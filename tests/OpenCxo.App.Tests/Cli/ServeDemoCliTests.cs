using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using OpenCxo.Core.Demo;
using OpenCxo.Core.Profiles;

namespace OpenCxo.App.Tests.Cli;

/// <summary>
/// <c>cxo serve --demo</c> started once for the class in an empty working directory, without <c>--db</c>: it creates
/// <c>./data/opencxo.db</c>, loads the 5,000-customer demo company and prints a demo key. Killed on dispose, also when
/// starting fails.
/// </summary>
public sealed partial class DemoServer : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(180);

    private CxoProcess? _process;

    public CliSandbox Sandbox { get; } = new();

    public string Url { get; } = $"http://127.0.0.1:{CliSandbox.FreeTcpPort()}";

    public HttpClient Client { get; } = new() { Timeout = TimeSpan.FromSeconds(60) };

    public string Key { get; private set; } = "";

    public long LoadedTouchpoints { get; private set; }

    public string Stdout => _process?.Stdout ?? "";

    public async Task InitializeAsync()
    {
        Client.BaseAddress = new Uri(Url);
        try
        {
            _process = CxoProcess.Start(Sandbox.Folder, new Dictionary<string, string?>(), ["serve", "--demo", "--urls", Url]);
            var keyLine = await _process.WaitForLineAsync(l => l.StartsWith("Demo API key", StringComparison.Ordinal), StartTimeout);
            Key = KeyPattern().Match(keyLine).Value;
            var loaded = await _process.WaitForLineAsync(l => l.StartsWith("Loaded ", StringComparison.Ordinal), TimeSpan.FromSeconds(1));
            LoadedTouchpoints = long.Parse(LoadedPattern().Match(loaded).Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
            // The demo key is printed before Kestrel listens.
            await _process.WaitUntilHealthyAsync(Client, TimeSpan.FromSeconds(60));
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        Sandbox.Dispose();
    }

    public static HttpRequestMessage Get(string url, string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return request;
    }

    public async Task<JsonElement> GetJsonAsync(string url)
    {
        using var response = await Client.SendAsync(Get(url, Key));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    [GeneratedRegex("cxo_[A-Za-z0-9_-]+")]
    private static partial Regex KeyPattern();

    [GeneratedRegex(@"^Loaded ([\d,]+) demo touchpoints")]
    private static partial Regex LoadedPattern();
}

public sealed class ServeDemoCliTests(DemoServer server) : IClassFixture<DemoServer>
{
    [Fact]
    public async Task Stats_by_department_cover_every_demo_touchpoint()
    {
        Assert.StartsWith("cxo_", server.Key, StringComparison.Ordinal);

        var stats = await server.GetJsonAsync("/api/v1/stats/interactions?groupBy=department");

        Assert.Equal("department", stats.GetProperty("groupBy").GetString());
        var groups = stats.GetProperty("groups").EnumerateArray().ToDictionary(g => g.GetProperty("key").GetString()!, g => g);
        Assert.Subset(groups.Keys.ToHashSet(), new HashSet<string> { "marketing", "sales", "service", "product" });
        var total = groups.Values.Sum(g => g.GetProperty("count").GetInt64());
        Assert.InRange(total, 150_000, 260_000);
        Assert.Equal(server.LoadedTouchpoints, total);
        Assert.All(groups.Values, g => Assert.InRange(g.GetProperty("customers").GetInt64(), 1, 5_000));
        Assert.True(File.Exists(server.Sandbox.PathOf(Path.Combine("data", "opencxo.db"))), "serve without --db uses ./data/opencxo.db");
    }

    [Fact]
    public async Task A_demo_customer_is_found_by_email_and_by_id()
    {
        // The same generator and defaults (5,000 customers, seed 42) as serve --demo and 'cxo demo generate'.
        var email = DemoCompany.Generate(new DemoOptions()).SelectMany(e => e.Identities).First(k => k.Kind == IdentityKey.EmailKind).Value;

        var byEmail = await server.GetJsonAsync("/api/v1/customers?email=" + Uri.EscapeDataString(email));

        Assert.Contains(email, byEmail.GetProperty("emails").EnumerateArray().Select(e => e.GetString()));
        Assert.True(byEmail.GetProperty("touchpoints").GetProperty("total").GetInt64() > 0);
        var id = byEmail.GetProperty("id").GetInt64();
        var byId = await server.GetJsonAsync($"/api/v1/customers/{id}");
        Assert.Equal(byEmail.GetRawText(), byId.GetRawText());
        var first = await server.GetJsonAsync("/api/v1/customers/1");
        Assert.True(first.GetProperty("emails").GetArrayLength() + first.GetProperty("externalIds").EnumerateObject().Count() > 0);
    }

    [Fact]
    public async Task Requests_without_a_valid_key_are_refused()
    {
        using var anonymous = await server.Client.SendAsync(DemoServer.Get("/api/v1/customers/1", null));
        using var wrong = await server.Client.SendAsync(DemoServer.Get("/api/v1/customers/1", "cxo_not-a-key"));

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
    }

    /// <summary>Bug: the hint is hard-wired to http://localhost:5080, so with --urls it points nowhere.</summary>
    [Fact]
    public void The_printed_curl_hint_uses_the_address_being_served()
    {
        var hint = server.Stdout.Split('\n').Single(l => l.StartsWith("Try: curl", StringComparison.Ordinal));

        Assert.True(hint.Contains(server.Url + "/api/v1/stats/interactions", StringComparison.Ordinal), $"served on {server.Url}, printed: {hint}");
    }
}
