using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OpenCxo.App.Text;
using OpenCxo.Testing;

namespace OpenCxo.App.Tests.Api;

/// <summary>Issue 8, journeys: the funnel, conversion and days between stages, paths to churn and of promoters, satisfaction per stage, on four customers worked out by hand; both databases.</summary>
public sealed class JourneyApiTests
{
    public static IEnumerable<object[]> Providers => TestDatabases.Providers;

    private static readonly string[] Stages = ["awareness", "lead", "customer", "onboarding", "service", "renewal", "churn"];

    [Theory, MemberData(nameof(Providers))]
    public async Task The_journey_of_four_customers_is_counted_stage_by_stage(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider, new Dictionary<string, string?> { ["Kpis:Evaluate"] = "false", ["Cases:Run"] = "false" });
        var client = await host.ClientAsync("a");
        var d0 = new DateTime(2026, 1, 5, 10, 0, 0, DateTimeKind.Utc);
        var n = 0;
        JsonObject T(string who, int day, string type, JsonObject? attributes = null, string? text = null)
        {
            var e = new JsonObject
            {
                ["id"] = "j" + (++n).ToString(CultureInfo.InvariantCulture), ["customer"] = new JsonObject { ["email"] = who + "@example.com" },
                ["occurredAt"] = d0.AddDays(day).ToString("O", CultureInfo.InvariantCulture), ["department"] = "other", ["channel"] = "web", ["type"] = type,
            };
            if (attributes is not null)
            {
                e["attributes"] = attributes;
            }

            if (text is not null)
            {
                e["text"] = text;
            }

            return e;
        }

        JsonObject[] events =
        [
            T("a", 0, "campaign.sent"), T("a", 1, "lead.created"), T("a", 11, "deal.won"), T("a", 13, "visit.completed"), T("a", 40, "ticket.opened"), T("a", 60, "subscription.cancelled"),
            T("b", 0, "campaign.sent"), T("b", 3, "lead.created"), T("b", 5, "deal.won"), T("b", 35, "subscription.renewed"),
            T("b", 36, "survey.response", new JsonObject { ["survey"] = "nps", ["npsScore"] = 10 }),
            T("c", 2, "lead.created"), T("c", 4, "deal.won"), T("c", 10, "ticket.opened", text: "No funciona nada y nadie me ayuda, estoy harto."),
            T("c", 12, "survey.response", new JsonObject { ["survey"] = "nps", ["npsScore"] = 3 }), T("c", 20, "subscription.cancelled"),
            T("d", 0, "campaign.sent"),
        ];
        var posted = await client.PostAsJsonAsync("/api/v1/events", new JsonObject { ["events"] = new JsonArray([.. events.Select(e => (JsonNode)e)]) });
        Assert.True(posted.IsSuccessStatusCode, await posted.Content.ReadAsStringAsync());
        await host.Services.GetRequiredService<TextAnalysisJob>().CatchUpAsync(default);

        var report = (await client.GetFromJsonAsync<JsonObject>("/api/v1/journeys?from=2026-01-01&to=2026-06-30"))!;
        Assert.Equal(4, (long)report["customers"]!);
        var stages = report["stages"]!.AsArray().ToDictionary(s => (string)s!["key"]!, s => s!);
        Assert.Equal([3L, 3L, 3L, 1L, 2L, 1L, 2L],
            Stages.Select(k => (long)stages[k]["customers"]!));
        Assert.Null(stages["awareness"]["conversion"]);
        // Lead after awareness: Ana (1 day) and Bea (3 days) of the three aware.
        Assert.Equal(100.0 * 2 / 3, (double)stages["lead"]["conversion"]!["value"]!, 3);
        Assert.Equal(2.0, (double)stages["lead"]["medianDays"]!);
        Assert.Equal((100.0, 2.0), ((double)stages["customer"]["conversion"]!["value"]!, (double)stages["customer"]["medianDays"]!));
        Assert.Equal((100.0, 27.0), ((double)stages["service"]["conversion"]!["value"]!, (double)stages["service"]["medianDays"]!));
        Assert.Equal(0.0, (double)stages["renewal"]["conversion"]!["value"]!);
        // Bea answered 10 after her renewal; Cris 3 after his ticket.
        Assert.Equal(100.0, (double)stages["renewal"]["nps"]!["value"]!);
        Assert.Equal(-100.0, (double)stages["service"]["nps"]!["value"]!);

        var toChurn = report["pathsToLastStage"]!.AsArray().Select(p => string.Join(">", p!["stages"]!.AsArray().Select(s => (string)s!))).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["awareness>lead>customer>onboarding>service>churn", "lead>customer>service>churn"], toChurn);
        var promoter = Assert.Single(report["pathsOfPromoters"]!.AsArray())!;
        Assert.Equal("awareness>lead>customer>renewal", string.Join(">", promoter["stages"]!.AsArray().Select(s => (string)s!)));
        var flows = report["flows"]!.AsArray().ToDictionary(f => (string)f!["from"]! + ">" + (string)f["to"]!, f => (long)f!["customers"]!);
        Assert.Equal((3L, 2L, 2L, 1L), (flows["lead>customer"], flows["awareness>lead"], flows["service>churn"], flows["customer>renewal"]));
        var ticket = report["touchpoints"]!.AsArray().Single(t => (string)t!["type"]! == "ticket.opened")!;
        Assert.Equal(("service", 1L, 100.0), ((string)ticket["stage"]!, (long)ticket["texts"]!, (double)ticket["negativeShare"]!));

        // Stages are the workspace's to change, checked whole.
        var bad = await client.PutAsJsonAsync("/api/v1/journeys/stages", new JsonObject
        {
            ["stages"] = new JsonArray(
                new JsonObject { ["key"] = "a", ["name"] = "A", ["types"] = new JsonArray("lead.created") },
                new JsonObject { ["key"] = "b", ["name"] = "B", ["types"] = new JsonArray("lead.created") }),
        });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("stages[1].types[0]", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var two = new JsonObject
        {
            ["stages"] = new JsonArray(
                new JsonObject { ["key"] = "lead", ["name"] = "Lead", ["types"] = new JsonArray("lead.created") },
                new JsonObject { ["key"] = "gone", ["name"] = "Gone", ["types"] = new JsonArray("subscription.cancelled") }),
        };
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync("/api/v1/journeys/stages", two)).StatusCode);
        var again = (await client.GetFromJsonAsync<JsonObject>("/api/v1/journeys?from=2026-01-01&to=2026-06-30"))!;
        Assert.Equal(["lead", "gone"], again["stages"]!.AsArray().Select(s => (string)s!["key"]!));
        Assert.Equal(100.0 * 2 / 3, (double)again["stages"]![1]!["conversion"]!["value"]!, 3);   // two of the three leads left
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/v1/journeys?from=yesterday")).StatusCode);
    }
}
