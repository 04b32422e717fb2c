using System.Text.RegularExpressions;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace OpenCxo.E2E;

/// <summary>
/// Issue 8, docs/tour.md as a test: on <c>cxo serve --demo</c>, a CXO who does not know where to look follows the
/// off-track alert to the "soporte 24/7" promise failing at night, the customers it brought churning more, the reps
/// who sold to them, the short unresolved night calls, the cases opened for the detractors and the digests that tell
/// Marketing and Sales. Each step's picture is the tour's; with OPENCXO_UPDATE_TOUR=1 they are written to docs/tour.
/// </summary>
[Collection(UiServerGroup.Name)]
public sealed class TourTests(UiServer server)
{
    private static readonly string[] Closers = ["s-03", "s-07", "s-11"];

    [Fact]
    public async Task The_tour_finds_the_broken_promise_and_follows_it_through_every_department()
    {
        // What the server's jobs do by themselves on their first passes: alerts, cases, last week's digests.
        Assert.True((await server.Api.PostAsync("/api/v1/alerts/evaluate", null)).IsSuccessStatusCode);
        Assert.True((await server.Api.PostAsync("/api/v1/cases/sweep", null)).IsSuccessStatusCode);
        await WaitForTextAnalysisAsync();
        Assert.True((await server.Api.PostAsync("/api/v1/digests/generate", null)).IsSuccessStatusCode);

        var page = await server.SignInAsync("cxo", viewport: new ViewportSize { Width = 1280, Height = 900 });

        // 1. The alerts: the promise marketing made is off track, and both its owners were told.
        await page.GotoAsync("/alerts");
        await UiServer.WaitForCircuitAsync(page);
        var alert = page.Locator("#alerts tr", new() { HasText = "Soporte 24/7" }).First;
        await Assertions.Expect(alert).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#alerts tr", new() { HasText = "marketing owner" }).First).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#alerts tr", new() { HasText = "service owner" }).First).ToBeVisibleAsync();
        await StepAsync(page, "1-alerts", "#alerts");

        // 2. The promise: kept by day, broken at night; the customers it brought churn more and are worth less.
        await alert.Locator("a.promise-link").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/promises/soporte-24-7$"));
        await Assertions.Expect(page.Locator("#promise-report")).ToHaveAttributeAsync("data-status", "offTrack");
        await Assertions.Expect(page.Locator("#promise-teams tr[data-key='night']")).ToHaveClassAsync("fix-first");
        await StepAsync(page, "2-promise-by-hour", "#promise-report");
        var report = (await server.Api.GetFromJsonAsync<JsonObject>("/api/v1/promises/soporte-24-7"))!;
        var acquired = report["acquired"]!;
        Assert.True((double)acquired["promised"]!["churn"]!["value"]! > (double)acquired["others"]!["churn"]!["value"]!);
        Assert.True((double)acquired["difference"]!["churn"]!["pValue"]! < 0.05);
        Assert.True((double)acquired["moneyGap"]!["value"]! > 0);
        await Assertions.Expect(page.Locator("#promise-money-gap")).ToBeVisibleAsync();
        await StepAsync(page, "3-promise-gap", "#promise-gap");

        // 3. The reps who sold it: their customers leave sooner and needed what no plan gives.
        await page.GotoAsync("/sales-quality");
        await UiServer.WaitForCircuitAsync(page);
        foreach (var rep in Closers)
        {
            await Assertions.Expect(page.Locator($"#sales-quality tr[data-key='{rep}']")).ToBeVisibleAsync();
        }

        var sales = (await server.Api.GetFromJsonAsync<JsonObject>("/api/v1/sales-quality"))!;
        var all = (double)sales["all"]!["unservedNeed"]!["value"]!;
        Assert.All(Closers, rep => Assert.True(
            (double)sales["groups"]!.AsArray().Single(g => (string?)g!["key"] == rep)!["unservedNeed"]!["value"]! > 2 * all, rep));
        await StepAsync(page, "4-sales-quality", "#sales-quality");

        // 4. The night desk: the shortest calls, the fewest solved, the most customers calling back.
        await page.GotoAsync("/service-balance");
        await UiServer.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("#service-balance tr[data-flagged='true']").First).ToBeVisibleAsync();
        await StepAsync(page, "5-service-balance", "#service-balance");

        // 5. The detractors became cases, routed to the team that last served them, the night team among them.
        var cases = (await server.Api.GetFromJsonAsync<JsonObject>("/api/v1/cases?status=open&limit=200"))!["items"]!.AsArray();
        Assert.Contains(cases, c => (string)c!["rule"]! == "detractor");
        Assert.Contains(cases, c => (string?)c!["team"] == "night");
        await page.GotoAsync("/cases?status=open&department=service");
        await UiServer.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("#cases-list tbody tr").First).ToBeVisibleAsync();
        await StepAsync(page, "6-cases", null);

        // 6. The digests tell Marketing the promise fails and Sales which customers leave early.
        await page.GotoAsync("/digests?department=marketing");
        await UiServer.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("#digest-promises li[data-promise='soporte-24-7']")).ToBeVisibleAsync();
        await StepAsync(page, "7-digest-marketing", "#digest");
        await page.GotoAsync("/digests?department=sales");
        await UiServer.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("#digest-profiles li[data-profile='soporte-24-7']")).ToBeVisibleAsync();
        await StepAsync(page, "8-digest-sales", "#digest");
        await AccessibilityTests.AssertAccessibleAsync(page, "/digests?department=sales");
    }

    /// <summary>Until the analysis job has read a text posted now, and so every text before it (it goes in order).</summary>
    private async Task WaitForTextAnalysisAsync()
    {
        var id = "tour-" + Guid.NewGuid().ToString("N")[..8];
        var posted = await server.Api.PostAsJsonAsync("/api/v1/events", new JsonObject
        {
            ["events"] = new JsonArray(new JsonObject
            {
                ["id"] = id, ["customer"] = new JsonObject { ["email"] = id + "@example.org" },
                ["occurredAt"] = DateTime.UtcNow.AddMinutes(-5).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
                ["department"] = "service", ["channel"] = "chat", ["type"] = "ticket.opened", ["text"] = "La factura de este mes está mal.",
            }),
        });
        Assert.True(posted.IsSuccessStatusCode, await posted.Content.ReadAsStringAsync());
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        for (var attempt = 0; attempt < 120; attempt++)
        {
            var page = await server.Api.GetFromJsonAsync<JsonObject>($"/api/v1/feedback/verbatims?from={today}&to={today}&theme=billing&limit=200");
            if (page!["verbatims"]!.AsArray().Any(v => (string)v!["eventId"]! == id))
            {
                return;
            }

            await Task.Delay(500);
        }

        throw new TimeoutException("the texts were not analysed within 60 s\n" + server.Output);
    }

    /// <summary>The step's picture of <paramref name="selector"/> (the screen when null), in the screenshots and, when asked, in docs/tour.</summary>
    private static async Task StepAsync(IPage page, string name, string? selector)
    {
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await Assertions.Expect(page.Locator(".mud-progress-linear")).ToHaveCountAsync(0);
        var path = Path.Combine(UiServer.ScreenshotFolder, "tour-" + name + ".png");
        if (selector is null)
        {
            // The screen as a person sees it first, for a page too long to show whole.
            await page.ScreenshotAsync(new() { Path = path });
        }
        else
        {
            await page.Locator(selector).First.ScreenshotAsync(new() { Path = path });
        }

        if (Environment.GetEnvironmentVariable("OPENCXO_UPDATE_TOUR") == "1")
        {
            var folder = AppContext.BaseDirectory;
            while (!File.Exists(Path.Combine(folder, "OpenCxo.sln")))
            {
                folder = Path.GetDirectoryName(folder) ?? throw new InvalidOperationException("OpenCxo.sln not found");
            }

            File.Copy(path, Path.Combine(folder, "docs", "tour", name + ".png"), overwrite: true);
        }
    }
}
