using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MathNet.Numerics.LinearAlgebra;
using OpenCxo.Testing;

namespace OpenCxo.App.Tests.Api;

/// <summary>
/// Issue 7: key drivers of NPS on a fixture whose answers were written to depend on the team that served the customer,
/// on both databases. R² is checked against a least-squares fit of the same yes/no columns solved here by QR, and each driver's NPS where met against a count of promoters and detractors.
/// </summary>
public sealed class DriversApiTests
{
    public static IEnumerable<object[]> Providers => TestDatabases.Providers;

    private const int Customers = 200;

    private static JsonObject Touch(string id, DateTime at, int customer, string department, string channel, string type, JsonObject? attributes = null, string? plan = null)
    {
        var who = new JsonObject { ["email"] = $"c{customer}@example.com" };
        if (plan is not null)
        {
            who["attributes"] = new JsonObject { ["plan"] = plan };
        }

        var e = new JsonObject
        {
            ["id"] = id, ["customer"] = who, ["occurredAt"] = at.ToString("O", CultureInfo.InvariantCulture), ["department"] = department,
            ["channel"] = channel, ["type"] = type,
        };
        if (attributes is not null)
        {
            e["attributes"] = attributes;
        }

        return e;
    }

    /// <summary>Customers 0–59 were called by the night team, 60–159 by the day team, 160–199 not at all; even ones opened a campaign e-mail.</summary>
    private static string? Team(int i) => i < 60 ? "night" : i < 160 ? "day" : null;

    private static bool Opened(int i) => i % 2 == 0;

    /// <summary>Night: detractors (3 or 5). Day: promoters, every third a passive. Not called: 9, every fourth a 6.</summary>
    private static int Score(int i) => Team(i) switch
    {
        "night" => i % 2 == 0 ? 3 : 5,
        "day" => i % 3 == 0 ? 8 : 10,
        _ => i % 4 == 0 ? 6 : 9,
    };

    private static double Nps(IEnumerable<int> customers)
    {
        var scores = customers.Select(Score).ToList();
        return 100.0 * (scores.Count(s => s >= 9) - scores.Count(s => s <= 6)) / scores.Count;
    }

    private static async Task<HttpClient> FixtureAsync(ApiHost host)
    {
        var client = await host.ClientAsync("a");
        var start = new DateTime(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc);
        var events = new List<JsonObject>();
        for (var i = 0; i < Customers; i++)
        {
            if (Opened(i))
            {
                events.Add(Touch($"open-{i}", start.AddDays(4), i, "marketing", "email", "campaign.opened", plan: i % 4 == 0 ? "gold" : "silver"));
            }

            if (Team(i) is { } team)
            {
                events.Add(Touch($"call-{i}", start.AddDays(9).AddMinutes(i), i, "service", "phone", "call.completed", new JsonObject { ["team"] = team }));
            }

            events.Add(Touch($"nps-{i}", start.AddDays(19).AddMinutes(i), i, "other", "web", "survey.response", new JsonObject { ["survey"] = "nps", ["npsScore"] = Score(i) }));
        }

        var response = await client.PostAsJsonAsync("/api/v1/events", new JsonObject { ["events"] = new JsonArray([.. events.Select(e => (JsonNode)e)]) });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return client;
    }

    /// <summary>Which fixture customers met a driver.</summary>
    private static bool Met(int i, string family, string level) => (family, level) switch
    {
        ("team", _) => Team(i) == level,
        ("touchpoint", "call.completed") => Team(i) is not null,
        ("touchpoint", "campaign.opened") => Opened(i),
        _ => throw new InvalidOperationException($"the fixture has no driver {family}: {level}"),
    };

    [Theory, MemberData(nameof(Providers))]
    public async Task Nps_drivers_share_the_least_squares_r_squared_and_the_night_team_is_fixed_first(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var client = await FixtureAsync(host);
        var report = (await client.GetFromJsonAsync<JsonObject>("/api/v1/drivers?outcome=nps&from=2026-03-01&to=2026-03-31"))!;
        Assert.Null(report["skipped"]);
        Assert.Equal(Customers, (long)report["units"]!);
        Assert.Equal("shapley", (string)report["method"]!);
        Assert.Equal(Math.Round(Nps(Enumerable.Range(0, Customers)), 1), (double)report["performance"]!, 6);
        var drivers = report["drivers"]!.AsArray().Select(d => d!).ToList();
        var names = drivers.Select(d => $"{d["family"]}: {d["level"]}").ToList();
        // No attribute unless asked for; the web channel of the answers themselves is no driver.
        Assert.Equal(
            ["channel: email", "channel: phone", "team: day", "team: night", "touchpoint: call.completed", "touchpoint: campaign.opened"],
            names.Order(StringComparer.Ordinal));

        // R² of the least-squares fit of the scores on the same columns, solved independently by QR. The six columns
        // span what 1, e-mail, phone and night span (day = phone − night; the campaign is the e-mail; the call is the phone).
        string[] basis = ["campaign.opened", "call.completed", "night"];
        var design = Matrix<double>.Build.Dense(Customers, 4, (i, j) => j == 0 ? 1 : Met(i, j == 3 ? "team" : "touchpoint", basis[j - 1]) ? 1 : 0);
        var scores = Vector<double>.Build.Dense(Customers, i => Score(i));
        var residual = scores - (design * design.QR().Solve(scores));
        var mean = scores.Average();
        var rSquared = 1 - (residual.DotProduct(residual) / scores.Sum(s => (s - mean) * (s - mean)));
        Assert.Equal(rSquared, (double)report["rSquared"]!, 3);
        Assert.Equal(1, drivers.Sum(d => (double)d["share"]!), 2);
        Assert.Equal((double)report["rSquared"]!, drivers.Sum(d => (double)d["weight"]!), 4);

        var night = drivers.Single(d => (string)d["level"]! == "night");
        Assert.Equal(60, (long)night["units"]!);
        Assert.Equal("hurts", (string)night["direction"]!);
        Assert.Equal("fix-first", (string)night["quadrant"]!);
        Assert.Equal(Nps(Enumerable.Range(0, 60)), (double)night["performance"]!, 6);
        Assert.Equal(Math.Round(Nps(Enumerable.Range(60, 140)), 1), (double)night["performanceWithout"]!, 6);
        var day = drivers.Single(d => (string)d["level"]! == "day");
        Assert.Equal("strength", (string)day["quadrant"]!);
        Assert.True((double)night["share"]! > (double)drivers.Single(d => (string)d["level"]! == "campaign.opened")["share"]!);

        // Asked for, the plan attribute becomes two drivers; an attribute nobody has is named.
        var withPlan = (await client.GetFromJsonAsync<JsonObject>("/api/v1/drivers?outcome=nps&from=2026-03-01&to=2026-03-31&attribute=plan&attribute=shoeSize"))!;
        var levels = withPlan["drivers"]!.AsArray().Where(d => (string)d!["family"]! == "attribute").Select(d => (string)d!["level"]!).Order(StringComparer.Ordinal);
        Assert.Equal(["plan: gold", "plan: silver"], levels);
        Assert.Equal(["shoeSize"], withPlan["attributesNotFound"]!.AsArray().Select(a => (string)a!));

        // Relative weights on the same drivers also add up to R².
        var weights = (await client.GetFromJsonAsync<JsonObject>("/api/v1/drivers?outcome=nps&from=2026-03-01&to=2026-03-31&method=relative-weights"))!;
        Assert.Equal("relative-weights", (string)weights["method"]!);
        Assert.Equal(rSquared, weights["drivers"]!.AsArray().Sum(d => (double)d!["weight"]!), 4);

        // With at most two drivers, the two that explain most are kept and the rest are counted.
        var two = (await client.GetFromJsonAsync<JsonObject>("/api/v1/drivers?outcome=nps&from=2026-03-01&to=2026-03-31&max=2"))!;
        Assert.Equal(2, two["drivers"]!.AsArray().Count);
        Assert.Equal(4, (int)two["leftOut"]!);
        Assert.Contains("night", two["drivers"]!.AsArray().Select(d => (string)d!["level"]!));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Bad_queries_name_the_field_and_an_outcome_without_data_says_why(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var client = await FixtureAsync(host);
        foreach (var (query, field) in new[]
        {
            ("outcome=loyalty", "outcome"),
            ("window=0", "window"),
            ("window=9999999999999", "window"),
            ("method=random-forest", "method"),
            ("max=65", "max"),
            ("max=1", "max"),
            ("method=shapley&max=30", "max"),
            ("from=2026-13-01", "from"),
            ("department=finance", "department"),
            ("attribute=" + new string('x', 101), "attribute"),
            ("outcome=churn&attribute=predicted.churnRisk", "attribute"),
            (string.Join('&', Enumerable.Range(0, 21).Select(i => "attribute=a" + i)), "attribute"),
        })
        {
            var response = await client.GetAsync("/api/v1/drivers?" + query);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
            Assert.True(problem["errors"]!.AsObject().ContainsKey(field), $"{query}: {problem}");
        }

        // No CSAT answers at all, and NPS answers before any driver was met: a reason, not an error.
        var csat = (await client.GetFromJsonAsync<JsonObject>("/api/v1/drivers?outcome=csat&from=2026-03-01&to=2026-03-31"))!;
        Assert.Contains("0 answers", (string)csat["skipped"]!, StringComparison.Ordinal);
        Assert.Empty(csat["drivers"]!.AsArray());
        var early = (await client.GetFromJsonAsync<JsonObject>("/api/v1/drivers?outcome=nps&from=2025-01-01&to=2025-12-31"))!;
        Assert.NotNull(early["skipped"]);

        var anonymous = await host.AnonymousClient().GetAsync("/api/v1/drivers");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }
}
