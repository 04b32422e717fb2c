using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace OpenCxo.E2E;

/// <summary>Issue 7: the key-driver chart and quadrant on the demo show what the API answers, for each outcome.</summary>
[Collection(UiServerGroup.Name)]
public sealed class DriversPageTests(UiServer server)
{
    [Fact]
    public async Task The_drivers_page_ranks_what_the_api_ranks_and_switches_outcome()
    {
        var to = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var from = DateTime.UtcNow.AddDays(-364).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        // Other tests post touchpoints and texts to the same server meanwhile: compare the page with the API's answer
        // read just after it, until two readings agree.
        var page = await server.SignInAsync("viewer");
        var rows = page.Locator("#drivers-table tbody tr");
        JsonObject csat = [];
        List<string> expected = [];
        string[] shown = [];
        for (var attempt = 0; attempt < 5 && (shown.Length == 0 || !shown.SequenceEqual(expected)); attempt++)
        {
            await page.GotoAsync($"/drivers?from={from}&to={to}&outcome=csat");
            await UiServer.WaitForCircuitAsync(page);
            await Assertions.Expect(rows.First).ToBeVisibleAsync();
            shown = await rows.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.driver)");
            csat = (await server.Api.GetFromJsonAsync<JsonObject>($"/api/v1/drivers?outcome=csat&from={from}&to={to}"))!;
            expected = [.. csat["drivers"]!.AsArray().Select(d => $"{d!["family"]}:{d["level"]}")];
        }

        Assert.NotEmpty(expected);
        Assert.Equal(expected, shown);
        await Assertions.Expect(page.Locator("#drivers-matrix .point")).ToHaveCountAsync(expected.Count);
        var top = csat["drivers"]![0]!;
        await Assertions.Expect(rows.First).ToContainTextAsync((string)top["level"]!);
        await UiServer.ScreenshotAsync(page, "drivers-csat");
        await AccessibilityTests.AssertAccessibleAsync(page, "/drivers");

        // Churn, from the toggle: the address keeps the period and the table follows the API's churn ranking.
        var churn = (await server.Api.GetFromJsonAsync<JsonObject>($"/api/v1/drivers?outcome=churn&from={from}&to={to}"))!;
        await page.Locator("#drivers-outcome").GetByText("Churn").ClickAsync();
        // The toggle navigates inside the page (no load event to wait for): poll the address instead.
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"from={from}.*outcome=churn"));
        Assert.Null(churn["skipped"]);
        await Assertions.Expect(rows).ToHaveCountAsync(churn["drivers"]!.AsArray().Count);
        await Assertions.Expect(page.GetByText("% retained", new() { Exact = true })).ToBeVisibleAsync();

        var spanish = await server.SignInAsync("viewer", locale: "es-ES");
        await spanish.GotoAsync($"/drivers?from={from}&to={to}&outcome=nps");
        await Assertions.Expect(spanish.Locator("h1")).ToHaveTextAsync("Factores clave");
    }
}
