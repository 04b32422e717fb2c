using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OpenCxo.App.Feedback;
using OpenCxo.App.Security;
using OpenCxo.Core.Ingest;
using OpenCxo.Data.Ingest;
using OpenCxo.Testing;

namespace OpenCxo.App.Tests.Api;

/// <summary>
/// Issue 4: NPS, CSAT and CES over imported responses, checked against counts and formulas computed here from the
/// generated answers (not by the code under test).
/// </summary>
public sealed class MetricsApiTests
{
    public static IEnumerable<object[]> Providers => TestDatabases.Providers;

    private const double Z95 = 1.959963984540054;

    private sealed record Answer(string Id, DateTime At, string Channel, int Nps, int Csat, int Ces);

    private static async Task<HttpClient> ScoredSurveyAsync(ApiHost host)
    {
        var client = await host.ClientAsync("a");
        var survey = JsonNode.Parse("""
            {"key":"pulse","title":{"en":"Pulse","es":"Pulso"},"questions":[
              {"key":"recommend","kind":"nps","prompt":{"en":"Recommend?","es":"¿Recomendaría?"}},
              {"key":"satisfied","kind":"csat","prompt":{"en":"Satisfied?","es":"¿Satisfecho?"}},
              {"key":"effort","kind":"ces","prompt":{"en":"Easy?","es":"¿Fácil?"}}]}
            """);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/surveys", survey)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/v1/surveys/pulse/publish", null)).StatusCode);
        return client;
    }

    private static async Task ImportAsync(ApiHost host, IReadOnlyList<Answer> answers)
    {
        var csv = new StringBuilder("id,answeredAt,survey,email,channel,recommend,satisfied,effort\n");
        foreach (var a in answers)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{a.Id},{a.At:yyyy-MM-ddTHH:mm:ssZ},pulse,{a.Id}@example.com,{a.Channel},{a.Nps},{a.Csat},{a.Ces}\n");
        }

        var path = Path.Combine(Path.GetTempPath(), "opencxo-tests", Guid.NewGuid().ToString("N") + ".csv");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, csv.ToString());
        await using var db = host.Factory.CreateDbContext();
        var workspace = await Workspaces.GetOrCreateAsync(db, "a", DateTime.UtcNow);
        var importer = new ResponseFileImporter(host.Factory, host.Services.GetRequiredService<EventParser>(), host.Services.GetRequiredService<EventIngestor>());
        var summary = await importer.ImportAsync(path, workspace.Id, null, default);
        Assert.Equal((answers.Count, 0L), (summary.Imported, summary.Rejected));
    }

    private static List<Answer> Generate(int count, DateTime from, int days, int seed, Func<Random, int> nps)
    {
        var random = new Random(seed);
        string[] channels = ["phone", "chat", "web"];
        return [.. Enumerable.Range(0, count).Select(i => new Answer(
            $"s{seed}-{i}", from.AddMinutes(random.Next(days * 24 * 60)), channels[random.Next(3)], nps(random), random.Next(1, 6), random.Next(1, 8)))];
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Scores_per_channel_match_counts_and_formulas_computed_independently(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var client = await ScoredSurveyAsync(host);
        var answers = Generate(900, new DateTime(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc), 31, seed: 1, r => r.Next(0, 11));
        await ImportAsync(host, answers);

        var nps = await client.GetFromJsonAsync<JsonObject>("/api/v1/metrics/nps?from=2026-03-01&to=2026-03-31&by=channel");
        var slices = nps!["slices"]!.AsArray();
        Assert.Equal(["chat", "phone", "web"], slices.Select(s => (string)s!["key"]!));
        foreach (var slice in slices)
        {
            var mine = answers.Where(a => a.Channel == (string)slice!["key"]!).ToList();
            double n = mine.Count, p = mine.Count(a => a.Nps >= 9) / n, d = mine.Count(a => a.Nps <= 6) / n;
            var half = Z95 * 100 * Math.Sqrt((p + d - (p - d) * (p - d)) / n);
            Assert.Equal(mine.Count, (int)slice!["n"]!);
            Assert.Equal(mine.Count(a => a.Nps >= 9), (int)slice["promoters"]!);
            Assert.Equal(mine.Count(a => a.Nps is 7 or 8), (int)slice["passives"]!);
            Assert.Equal(mine.Count(a => a.Nps <= 6), (int)slice["detractors"]!);
            Assert.Equal(100 * (p - d), (double)slice["nps"]!, 3);
            Assert.Equal(100 * (p - d) - half, (double)slice["low"]!, 3);
            Assert.Equal(100 * (p - d) + half, (double)slice["high"]!, 3);
            Assert.False((bool)slice["small"]!);
        }

        // CSAT: the share of 4 and 5 with Wilson's interval (score form, solved here for the whole period), and the mean.
        var csat = (await client.GetFromJsonAsync<JsonObject>("/api/v1/metrics/csat?from=2026-03-01&to=2026-03-31"))!["slices"]![0]!;
        double all = answers.Count, share = answers.Count(a => a.Csat >= 4) / all;
        var centre = (share + Z95 * Z95 / (2 * all)) / (1 + Z95 * Z95 / all);
        var spread = Z95 / (1 + Z95 * Z95 / all) * Math.Sqrt(share * (1 - share) / all + Z95 * Z95 / (4 * all * all));
        Assert.Equal(100 * share, (double)csat["csat"]!, 3);
        Assert.Equal(100 * (centre - spread), (double)csat["low"]!, 3);
        Assert.Equal(100 * (centre + spread), (double)csat["high"]!, 3);
        Assert.Equal(answers.Average(a => a.Csat), (double)csat["mean"]!, 3);

        // CES: the mean with a t interval; with 900 answers t(899) is 1.9626.
        var ces = (await client.GetFromJsonAsync<JsonObject>("/api/v1/metrics/ces?from=2026-03-01&to=2026-03-31"))!["slices"]![0]!;
        var mean = answers.Average(a => a.Ces);
        var sd = Math.Sqrt(answers.Sum(a => (a.Ces - mean) * (a.Ces - mean)) / (all - 1));
        Assert.Equal(mean, (double)ces["ces"]!, 3);
        Assert.Equal(mean - 1.9626 * sd / Math.Sqrt(all), (double)ces["low"]!, 3);

        // Outside the period there is nothing; a survey filter that matches nothing gives no slice.
        Assert.Empty((await client.GetFromJsonAsync<JsonObject>("/api/v1/metrics/nps?from=2026-05-01&to=2026-05-31"))!["slices"]!.AsArray());
        Assert.Empty((await client.GetFromJsonAsync<JsonObject>("/api/v1/metrics/nps?from=2026-03-01&to=2026-03-31&survey=other"))!["slices"]!.AsArray());
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_change_from_the_period_before_is_called_significant_only_when_it_is(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var client = await ScoredSurveyAsync(host);

        // February: about NPS 0; March: about NPS 40 on the web, and the same as before by phone; a handful by chat.
        var february = Generate(600, new DateTime(2026, 2, 1, 0, 0, 0, DateTimeKind.Utc), 28, seed: 2, r => r.Next(0, 11) < 4 ? 10 : r.Next(0, 11) < 5 ? 8 : 3);
        var march = Generate(600, new DateTime(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc), 28, seed: 3, r => r.Next(0, 11) < 4 ? 10 : r.Next(0, 11) < 5 ? 8 : 3)
            .Select(a => a.Channel == "web" ? a with { Nps = a.Nps == 3 ? 10 : a.Nps } : a)
            .Where(a => a.Channel != "chat" || a.Id.EndsWith('0'))
            .ToList();
        await ImportAsync(host, [.. february, .. march]);

        var report = await client.GetFromJsonAsync<JsonObject>("/api/v1/metrics/nps?from=2026-03-01&to=2026-03-28&by=channel&compare=previous");
        Assert.Equal(("2026-02-01", "2026-02-28"), ((string)report!["comparedWith"]!["from"]!, (string)report["comparedWith"]!["to"]!));
        var byKey = report["slices"]!.AsArray().ToDictionary(s => (string)s!["key"]!, s => s!);

        var web = byKey["web"]["change"]!;
        Assert.True((bool)web["significant"]!);
        Assert.True((double)web["pValue"]! < 0.001);
        var phone = byKey["phone"]["change"]!;
        Assert.False((bool)phone["significant"]!);
        Assert.True((double)phone["pValue"]! > 0.05);

        // The independent z-test for the web: (NPS₁ − NPS₂) / √(Var₁/n₁ + Var₂/n₂).
        static (double Nps, double Var, int N) Moments(IEnumerable<Answer> a)
        {
            var list = a.ToList();
            double n = list.Count, p = list.Count(x => x.Nps >= 9) / n, d = list.Count(x => x.Nps <= 6) / n;
            return (p - d, p + d - (p - d) * (p - d), list.Count);
        }

        var now = Moments(march.Where(a => a.Channel == "web"));
        var before = Moments(february.Where(a => a.Channel == "web"));
        Assert.Equal(100 * (now.Nps - before.Nps), (double)web["difference"]!, 3);
        var z = (now.Nps - before.Nps) / Math.Sqrt(now.Var / now.N + before.Var / before.N);
        Assert.Equal(2 * MathNet.Numerics.Distributions.Normal.CDF(0, 1, -Math.Abs(z)), (double)web["pValue"]!, 6);
        var phoneNow = Moments(march.Where(a => a.Channel == "phone"));
        var phoneBefore = Moments(february.Where(a => a.Channel == "phone"));
        var zPhone = (phoneNow.Nps - phoneBefore.Nps) / Math.Sqrt(phoneNow.Var / phoneNow.N + phoneBefore.Var / phoneBefore.N);
        Assert.Equal(2 * MathNet.Numerics.Distributions.Normal.CDF(0, 1, -Math.Abs(zPhone)), (double)phone["pValue"]!, 5);

        // Chat had few answers in March: flagged, never called a trend.
        var chat = byKey["chat"];
        Assert.True((bool)chat["small"]!);
        Assert.True((bool)chat["change"]!["small"]!);
        Assert.False((bool)chat["change"]!["significant"]!);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Scores_split_by_a_customer_attribute_use_each_profiles_current_value(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var client = await ScoredSurveyAsync(host);
        var answers = Generate(300, new DateTime(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc), 28, seed: 4, r => r.Next(0, 11));
        await ImportAsync(host, answers);

        // Attributes arrive later, on other touchpoints: a third gold, a third silver, a third with no plan at all.
        string? Plan(int i) => (i % 3) switch { 0 => "gold", 1 => "silver", _ => null };
        async Task ProfileAsync(IEnumerable<(int Index, string Plan)> plans, string suffix, DateTime at)
        {
            var events = plans.Select(p => (JsonNode)new JsonObject
            {
                ["id"] = $"profile-{p.Index}-{suffix}",
                ["customer"] = new JsonObject { ["email"] = answers[p.Index].Id + "@example.com", ["attributes"] = new JsonObject { ["plan"] = p.Plan } },
                ["occurredAt"] = at.ToString("O", CultureInfo.InvariantCulture),
                ["department"] = "sales", ["channel"] = "web", ["type"] = "profile.updated",
            }).ToArray();
            var response = await client.PostAsJsonAsync("/api/v1/events", new JsonObject { ["events"] = new JsonArray(events) });
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }

        await ProfileAsync(Enumerable.Range(0, answers.Count).Where(i => Plan(i) is not null).Select(i => (i, Plan(i)!)), "a", new DateTime(2026, 4, 1, 0, 0, 0, DateTimeKind.Utc));

        async Task<Dictionary<string, JsonNode>> ByPlanAsync()
        {
            var report = await client.GetFromJsonAsync<JsonObject>("/api/v1/metrics/nps?from=2026-03-01&to=2026-03-31&by=customer.attr.plan");
            Assert.Equal("customer.attr.plan", (string)report!["by"]!);
            return report["slices"]!.AsArray().ToDictionary(s => (string?)s!["key"] ?? "(none)", s => s!);
        }

        void Check(Dictionary<string, JsonNode> slices, Func<int, string?> plan)
        {
            var expected = answers.Select((a, i) => (Answer: a, Plan: plan(i) ?? "(none)")).GroupBy(x => x.Plan).ToDictionary(g => g.Key, g => g.Select(x => x.Answer).ToList());
            Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), slices.Keys.Order(StringComparer.Ordinal));
            foreach (var (key, mine) in expected)
            {
                double n = mine.Count, p = mine.Count(a => a.Nps >= 9) / n, d = mine.Count(a => a.Nps <= 6) / n;
                Assert.Equal(mine.Count, (int)slices[key]["n"]!);
                Assert.Equal(100 * (p - d), (double)slices[key]["nps"]!, 3);
            }
        }

        Check(await ByPlanAsync(), Plan);

        // Ten silver customers move to gold: the split follows the profile as it is now, not as it was when they answered.
        var upgraded = Enumerable.Range(0, answers.Count).Where(i => Plan(i) == "silver").Take(10).ToHashSet();
        await ProfileAsync(upgraded.Select(i => (i, "gold")), "b", new DateTime(2026, 5, 1, 0, 0, 0, DateTimeKind.Utc));
        Check(await ByPlanAsync(), i => upgraded.Contains(i) ? "gold" : Plan(i));

        // An attribute nobody has puts every response under no value.
        var nobody = await client.GetFromJsonAsync<JsonObject>("/api/v1/metrics/nps?from=2026-03-01&to=2026-03-31&by=customer.attr.shoeSize");
        var only = Assert.Single(nobody!["slices"]!.AsArray());
        Assert.Null((string?)only!["key"]);
        Assert.Equal(answers.Count, (int)only["n"]!);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Bad_queries_name_the_parameter(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var client = await host.ClientAsync("a", Scopes.StatsRead);
        foreach (var (query, field) in new[]
        {
            ("from=2026-13-01", "from"), ("to=yesterday", "to"), ("from=2026-03-02&to=2026-03-01", "from"), ("by=planet", "by"),
            ("channel=fax", "channel"), ("department=hr", "department"), ("survey=Bad%20Key", "survey"), ("compare=last-year", "compare"),
            ("confidence=2", "confidence"), ("segment=" + new string('s', 101), "segment"), ("by=customer.attr.", "by"),
            ("by=customer.attr." + new string('a', 101), "by"), ("by=customer.attr.a%0Ab", "by"),
        })
        {
            var response = await client.GetAsync("/api/v1/metrics/nps?" + query);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains(field, (await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject().Select(e => e.Key));
        }

        Assert.Equal(HttpStatusCode.Forbidden, (await (await host.ClientAsync("a", Scopes.EventsWrite)).GetAsync("/api/v1/metrics/nps")).StatusCode);
    }
}
