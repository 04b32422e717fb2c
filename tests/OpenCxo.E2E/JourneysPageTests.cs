using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace OpenCxo.E2E;

/// <summary>Issue 8: the journey page draws the API's funnel as a Sankey picture, with the paths to churn and of promoters.</summary>
[Collection(UiServerGroup.Name)]
public sealed class JourneysPageTests(UiServer server)
{
    [Fact]
    public async Task The_journey_shows_the_funnel_the_flows_and_the_paths()
    {
        var report = (await server.Api.GetFromJsonAsync<JsonObject>("/api/v1/journeys"))!;
        var customers = (long)report["stages"]!.AsArray().Single(s => (string)s!["key"]! == "customer")!["customers"]!;
        Assert.True(customers > 0);
        Assert.NotEmpty(report["pathsToLastStage"]!.AsArray());

        var page = await server.SignInAsync("viewer");
        await page.GotoAsync("/journeys");
        await UiServer.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("#journey-funnel tr[data-stage='customer'] td").First).ToHaveTextAsync(customers.ToString("N0", System.Globalization.CultureInfo.GetCultureInfo("en-GB")));
        Assert.True(await page.Locator("#journey-sankey path").CountAsync() > 3);
        Assert.True(await page.Locator("#journey-sankey path.to-last").CountAsync() > 0);
        await Assertions.Expect(page.Locator("#journey-paths-last li").First).ToBeVisibleAsync();
        // Viewers read journeys but do not edit the stages.
        Assert.Equal(0, await page.Locator("#journey-editor").CountAsync());
        await UiServer.ScreenshotAsync(page, "journeys");
        await AccessibilityTests.AssertAccessibleAsync(page, "/journeys");
    }
}
