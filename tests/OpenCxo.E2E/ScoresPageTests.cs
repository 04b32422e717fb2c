using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace OpenCxo.E2E;

/// <summary>Issue 4: survey scores in the web UI, drawn with their intervals, the same numbers as the API.</summary>
[Collection(UiServerGroup.Name)]
public sealed class ScoresPageTests(UiServer server)
{
    [Fact]
    public async Task The_scores_page_shows_the_apis_nps_with_one_interval_per_month()
    {
        var to = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var query = $"from=2024-01-01&to={to}";
        var overall = await server.Api.GetFromJsonAsync<JsonObject>($"/api/v1/metrics/nps?{query}");
        var monthly = await server.Api.GetFromJsonAsync<JsonObject>($"/api/v1/metrics/nps?{query}&by=month");
        var nps = (double)overall!["slices"]![0]!["nps"]!;

        var page = await server.SignInAsync("viewer");
        await page.GotoAsync($"/surveys?{query}&by=month");
        await UiServer.WaitForCircuitAsync(page);
        var tile = page.Locator(".cxo-kpi").First;
        await Assertions.Expect(tile.Locator(".cxo-kpi-value")).ToHaveTextAsync(nps.ToString("0.0", CultureInfo.GetCultureInfo("en-GB")));
        var chart = page.Locator(".cxo-score-chart").First;
        await Assertions.Expect(chart.Locator("g.slice")).ToHaveCountAsync(monthly!["slices"]!.AsArray().Count);
        var smallMonths = monthly["slices"]!.AsArray().Count(s => (bool)s!["small"]!);
        await Assertions.Expect(chart.Locator("g.slice.small")).ToHaveCountAsync(smallMonths);
        await UiServer.ScreenshotAsync(page, "surveys-scores");
        await AccessibilityTests.AssertAccessibleAsync(page, "/surveys");

        // Split by a customer attribute: one interval per country the API names, the choice shown in the split box.
        var byCountry = await server.Api.GetFromJsonAsync<JsonObject>($"/api/v1/metrics/nps?{query}&by=customer.attr.country");
        var countries = byCountry!["slices"]!.AsArray().Count;
        Assert.InRange(countries, 2, 10);
        await page.GotoAsync($"/surveys?{query}&by=customer.attr.country");
        await UiServer.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator(".cxo-score-chart").First.Locator("g.slice")).ToHaveCountAsync(countries);
        await Assertions.Expect(page.Locator("div.mud-select", new() { HasText = "Split by" }).First).ToContainTextAsync("Customer: country");
    }
}
