using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace OpenCxo.E2E;

/// <summary>
/// Issue 10's campaigns in Chromium on the demo data: a campaign started from its segment shows what its control group
/// can detect, launches, and exports only the treated group, as the API does.
/// </summary>
[Collection(UiServerGroup.Name)]
public sealed class CampaignPagesTests(UiServer server)
{
    [Fact]
    public async Task A_campaign_is_planned_launched_and_its_treated_group_exported()
    {
        Assert.True((await server.Api.GetAsync("/api/v1/stats/interactions?groupBy=department")).IsSuccessStatusCode);
        var segment = "e2e-recent-" + Guid.NewGuid().ToString("N")[..6];
        var created = await server.Api.PostAsJsonAsync("/api/v1/segments", new JsonObject
        {
            ["key"] = segment, ["name"] = "Touched service in 90 days",
            ["conditions"] = new JsonArray(new JsonObject { ["kind"] = "touchpoints", ["department"] = "service", ["withinDays"] = 90 }),
        });
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());

        var page = await server.SignInAsync("marketing");
        await page.GotoAsync($"/segments/{segment}");
        await UiServer.WaitForCircuitAsync(page);
        await page.Locator("#segment-campaign").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/campaigns/new\\?segment={segment}$"));
        await UiServer.WaitForCircuitAsync(page);

        // The plan for a fifth held out agrees with the API's plan of the same design.
        var key = "e2e-thanks-" + Guid.NewGuid().ToString("N")[..6];
        await page.GetByLabel("Key", new() { Exact = true }).FillAsync(key);
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Thank-you call");
        await page.Locator("[data-field='controlShare'] input, input[data-field='controlShare']").First.FillAsync("20");
        await page.Locator("[data-field='controlShare'] input, input[data-field='controlShare']").First.PressAsync("Tab");
        var plan = await server.Api.PostAsJsonAsync("/api/v1/campaigns/plan", new JsonObject
        {
            ["key"] = key, ["name"] = "Thank-you call", ["segment"] = segment, ["controlShare"] = 0.2, ["weeks"] = 12,
        });
        var planned = (await plan.Content.ReadFromJsonAsync<JsonObject>())!;
        var control = (long)planned["chosen"]!["control"]!;
        Assert.True(control > 0);
        await Assertions.Expect(page.Locator("#campaign-plan-table tr.cxo-chosen [data-control]")).ToHaveAttributeAsync("data-control", control.ToString(CultureInfo.InvariantCulture));

        await page.Locator("#campaign-save").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/campaigns/{key}$"));
        await UiServer.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("#campaign-status")).ToHaveAttributeAsync("data-status", "draft");
        // Launching asks first: cancelled, it stays a draft; confirmed, it runs.
        await page.Locator("#campaign-launch").ClickAsync();
        await page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Assertions.Expect(page.Locator(".mud-dialog")).ToHaveCountAsync(0);
        Assert.Equal("draft", (string)(await server.Api.GetFromJsonAsync<JsonObject>($"/api/v1/campaigns/{key}"))!["status"]!);
        await page.Locator("#campaign-launch").ClickAsync();
        await page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Launch" }).ClickAsync();
        await Assertions.Expect(page.Locator("#campaign-status")).ToHaveAttributeAsync("data-status", "running");
        await UiServer.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("#campaign-results")).ToBeVisibleAsync();

        // The download is the API's export: the treated group, none of the control group.
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#campaign-export").ClickAsync());
        var exported = await File.ReadAllTextAsync(await download.PathAsync());
        Assert.Equal(await server.Api.GetStringAsync($"/api/v1/campaigns/{key}/export"), exported);
        var summary = (await server.Api.GetFromJsonAsync<JsonObject>($"/api/v1/campaigns/{key}"))!;
        Assert.Equal((long)summary["treated"]!, exported.TrimEnd().Split("\r\n").Length - 1);
        await UiServer.ScreenshotAsync(page, "campaign");
        await AccessibilityTests.AssertAccessibleAsync(page, $"/campaigns/{key}");

        await page.GotoAsync("/campaigns");
        await Assertions.Expect(page.Locator($"#campaigns-table tr[data-key='{key}']")).ToContainTextAsync("Thank-you call");
        await AccessibilityTests.AssertAccessibleAsync(page, "/campaigns");
        Assert.True((await server.Api.PostAsync($"/api/v1/campaigns/{key}/end", null)).IsSuccessStatusCode);
        Assert.True((await server.Api.DeleteAsync($"/api/v1/campaigns/{key}")).IsSuccessStatusCode);
        Assert.True((await server.Api.DeleteAsync($"/api/v1/segments/{segment}")).IsSuccessStatusCode);
    }

    [Fact]
    public async Task The_demo_draft_recovery_campaign_shows_what_its_control_group_can_detect()
    {
        Assert.True((await server.Api.GetAsync("/api/v1/stats/interactions?groupBy=department")).IsSuccessStatusCode);
        var plan = (await server.Api.GetFromJsonAsync<JsonObject>("/api/v1/campaigns/detractor-recovery/plan"))!;
        Assert.True((long)plan["audience"]! > 0);

        var page = await server.SignInAsync("service");
        await page.GotoAsync("/campaigns/detractor-recovery");
        await UiServer.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("#campaign-status")).ToHaveAttributeAsync("data-status", "draft");
        await Assertions.Expect(page.Locator("#campaign-plan-table tbody tr")).ToHaveCountAsync(1 + plan["alternatives"]!.AsArray().Count);
        await Assertions.Expect(page.Locator("#campaign-plan-table tr.cxo-chosen [data-control]"))
            .ToHaveAttributeAsync("data-control", ((long)plan["chosen"]!["control"]!).ToString(CultureInfo.InvariantCulture));

        // A detractor segment's history cannot size an NPS test (everyone scored 0–6); entered figures can, and the page
        // shows the API's figure for them, marked as entered.
        await Assertions.Expect(page.Locator("#campaign-plan-entered")).ToHaveCountAsync(0);
        await page.Locator("[data-field='baselines.promoters']").FillAsync("30");
        await page.Locator("[data-field='baselines.detractors']").FillAsync("30");
        await page.Locator("[data-field='baselines.npsResponse']").FillAsync("40");
        await page.Locator("[data-field='baselines.npsResponse']").BlurAsync();
        await Assertions.Expect(page.Locator("#campaign-plan-entered")).ToBeVisibleAsync();
        var definition = (await server.Api.GetFromJsonAsync<JsonObject>("/api/v1/campaigns/detractor-recovery"))!;
        definition["baselines"] = new JsonObject { ["promoters"] = 30, ["detractors"] = 30, ["npsResponse"] = 40 };
        var sized = (await (await server.Api.PostAsJsonAsync("/api/v1/campaigns/plan", Draft(definition))).Content.ReadFromJsonAsync<JsonObject>())!;
        var nps = sized["chosen"]!["detectable"]!.AsArray().Single(d => (string)d!["outcome"]! == "nps")!;
        Assert.True((bool)nps["entered"]!);
        var cells = page.Locator("#campaign-plan-table tr.cxo-chosen td[data-entered='true']");
        await Assertions.Expect(cells).ToHaveCountAsync(1);
        await Assertions.Expect(cells).ToHaveTextAsync("±" + ((double)nps["smallest"]!).ToString("0.##", CultureInfo.GetCultureInfo("en-GB")) + " points †");
    }

    /// <summary>A stored campaign as a draft the plan endpoint takes: its definition without what the server adds.</summary>
    private static JsonObject Draft(JsonObject stored)
    {
        var draft = new JsonObject();
        foreach (var field in new[] { "key", "name", "segment", "controlShare", "weeks", "kind", "description", "owner", "baselines" })
        {
            if (stored[field] is { } value)
            {
                draft[field] = value.DeepClone();
            }
        }

        return draft;
    }
}
