using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace OpenCxo.E2E;

/// <summary>Issue 8: on the demo, the reps who sold the 24/7 promise keep fewer customers, and the night desk's short calls are flagged.</summary>
[Collection(UiServerGroup.Name)]
public sealed class AlignmentPagesTests(UiServer server)
{
    /// <summary>The night desk's agents (DemoCustomer.AgentsNightEs and AgentsNightEn).</summary>
    private static readonly string[] NightAgents = ["a-45", "a-46", "a-47", "a-48", "a-49", "a-50", "a-51", "a-52"];

    [Fact]
    public async Task Sales_quality_shows_the_reps_whose_customers_leave_and_the_deals_that_fit_worst()
    {
        var report = (await server.Api.GetFromJsonAsync<JsonObject>("/api/v1/sales-quality?by=rep"))!;
        var all = (double)report["all"]!["retained12Months"]!["value"]!;
        var s07 = report["groups"]!.AsArray().Single(g => (string?)g!["key"] == "s-07")!;
        Assert.True((double)s07["retained12Months"]!["value"]! < all, report.ToJsonString());
        Assert.True((double)s07["unservedNeed"]!["value"]! > (double)report["all"]!["unservedNeed"]!["value"]!);

        var page = await server.SignInAsync("sales");
        await page.GotoAsync("/sales-quality");
        await UiServer.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("#sales-quality tr[data-key='s-07']")).ToBeVisibleAsync();
        Assert.True(await page.Locator("#sales-quality tr.fix-first").CountAsync() > 0);
        await Assertions.Expect(page.Locator("#sales-fits tbody tr").First).ToBeVisibleAsync();
        await UiServer.ScreenshotAsync(page, "sales-quality");
        await AccessibilityTests.AssertAccessibleAsync(page, "/sales-quality");
    }

    [Fact]
    public async Task Service_balance_flags_the_night_desks_short_unresolved_calls()
    {
        var page = await server.SignInAsync("service");
        await page.GotoAsync("/service-balance");
        await UiServer.WaitForCircuitAsync(page);
        var flagged = page.Locator("#service-balance tr[data-flagged='true']");
        await Assertions.Expect(flagged.First).ToBeVisibleAsync();
        var keys = await flagged.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.key)");
        Assert.NotEmpty(keys);
        Assert.All(keys, k => Assert.Contains(k, NightAgents));
        await Assertions.Expect(page.Locator("#service-scorecard li[data-metric='first_contact_resolution']")).ToBeVisibleAsync();
        await UiServer.ScreenshotAsync(page, "service-balance");
        await AccessibilityTests.AssertAccessibleAsync(page, "/service-balance");
    }
}
