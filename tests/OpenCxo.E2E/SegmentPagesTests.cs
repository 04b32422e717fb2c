using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace OpenCxo.E2E;

/// <summary>
/// Issue 10's segment builder in Chromium on the demo data: the live count follows each edit and agrees with the API,
/// a refused definition says which field, a saved segment has members, history and an export that matches the API's.
/// </summary>
[Collection(UiServerGroup.Name)]
public sealed class SegmentPagesTests(UiServer server)
{
    private async Task<long> ApiCountAsync(JsonArray conditions)
    {
        var response = await server.Api.PostAsJsonAsync("/api/v1/segments/count", new JsonObject { ["conditions"] = conditions });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (long)(await response.Content.ReadFromJsonAsync<JsonObject>())!["members"]!;
    }

    private static JsonArray Callers(int atLeast) =>
        [new JsonObject { ["kind"] = "touchpoints", ["department"] = "service", ["channel"] = "phone", ["atLeast"] = atLeast, ["withinDays"] = 30 }];

    [Fact]
    public async Task A_segment_is_built_with_a_live_count_saved_and_exported()
    {
        // The stats endpoint brings the analytics store up to every stored event, so the page and the API count the same rows.
        Assert.True((await server.Api.GetAsync("/api/v1/stats/interactions?groupBy=department")).IsSuccessStatusCode);
        var page = await server.SignInAsync("marketing");
        await page.GotoAsync("/segments");
        await UiServer.WaitForCircuitAsync(page);
        await page.Locator("#segment-new").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/segments/new$"));
        await UiServer.WaitForCircuitAsync(page);

        // The builder starts from "called service 3+ times in 30 days"; its count is the API's.
        var three = await ApiCountAsync(Callers(3));
        await Assertions.Expect(page.Locator("#segment-count [data-count]")).ToHaveAttributeAsync("data-count", three.ToString(CultureInfo.InvariantCulture));

        // Editing the threshold recounts.
        var one = await ApiCountAsync(Callers(1));
        Assert.NotEqual(three, one);
        await page.Locator("[data-field='conditions[0].atLeast']").FillAsync("1");
        await Assertions.Expect(page.Locator("#segment-count [data-count]")).ToHaveAttributeAsync("data-count", one.ToString(CultureInfo.InvariantCulture));

        // A window out of range cannot be counted, and the message names the field.
        await page.Locator("[data-field='conditions[0].withinDays']").FillAsync("0");
        await Assertions.Expect(page.Locator("#segment-count")).ToContainTextAsync("conditions[0].withinDays");
        await page.Locator("[data-field='conditions[0].withinDays']").FillAsync("30");
        await Assertions.Expect(page.Locator("#segment-count [data-count]")).ToHaveAttributeAsync("data-count", one.ToString(CultureInfo.InvariantCulture));

        // Saving without a key is refused beside the field; with one it saves and fills in the members.
        await page.Locator("#segment-save").ClickAsync();
        await Assertions.Expect(page.Locator("#segment-errors")).ToContainTextAsync("key");
        var key = "e2e-callers-" + Guid.NewGuid().ToString("N")[..6];
        await page.GetByLabel("Key", new() { Exact = true }).FillAsync(key);
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Phoned service this month");
        await page.Locator("#segment-save").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/segments/{key}$"));
        await UiServer.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("#segment-history tbody tr")).ToHaveCountAsync(1);

        var saved = (await server.Api.GetFromJsonAsync<JsonObject>($"/api/v1/segments/{key}"))!;
        Assert.Equal(one, (long)saved["members"]!);
        await Assertions.Expect(page.Locator("#segment-history tbody tr td.num").First).ToHaveTextAsync(one.ToString("N0", CultureInfo.GetCultureInfo("en-GB")));

        // The download is the API's export, line for line.
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#segment-export").ClickAsync());
        var exported = await File.ReadAllTextAsync(await download.PathAsync());
        Assert.Equal(await server.Api.GetStringAsync($"/api/v1/segments/{key}/export"), exported);
        Assert.StartsWith("customer,email,phone\r\n", exported, StringComparison.Ordinal);
        await UiServer.ScreenshotAsync(page, "segment");
        await AccessibilityTests.AssertAccessibleAsync(page, $"/segments/{key}");

        await page.GotoAsync("/segments");
        await Assertions.Expect(page.Locator($"#segments-table tr[data-key='{key}']")).ToContainTextAsync("Phoned service this month");
        await AccessibilityTests.AssertAccessibleAsync(page, "/segments");
        Assert.True((await server.Api.DeleteAsync($"/api/v1/segments/{key}")).IsSuccessStatusCode);
    }
}
