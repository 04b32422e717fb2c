using System.Text.RegularExpressions;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace OpenCxo.E2E;

/// <summary>Issue 7: department worklists show what the API ranks, lead to the customer's 360 page with the same action, and rules are edited in place.</summary>
[Collection(UiServerGroup.Name)]
public sealed class ActionsPageTests(UiServer server)
{
    [Fact]
    public async Task A_worklist_leads_to_the_customer_page_and_rules_are_edited_in_place()
    {
        var run = await server.Api.PostAsync("/api/v1/predictions/run", null);
        Assert.True(run.IsSuccessStatusCode, await run.Content.ReadAsStringAsync());
        var api = (await server.Api.GetFromJsonAsync<JsonObject>("/api/v1/next-best-actions?department=sales&limit=5"))!;
        Assert.True((long)api["total"]! > 0, api.ToJsonString());
        var first = api["items"]![0]!;

        var page = await server.SignInAsync("sales");
        await page.GotoAsync("/actions?department=sales");
        await UiServer.WaitForCircuitAsync(page);
        var rows = page.Locator("#actions-worklist tbody tr");
        await Assertions.Expect(rows.First).ToHaveAttributeAsync("data-customer", ((long)first["customer"]!).ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Assertions.Expect(rows.First).ToHaveAttributeAsync("data-rule", (string)first["action"]!["rule"]!);
        await UiServer.ScreenshotAsync(page, "actions-sales");
        await AccessibilityTests.AssertAccessibleAsync(page, "/actions");
        // A seller reads the rules but does not edit them.
        await Assertions.Expect(page.Locator("#actions-rules li")).ToHaveCountAsync(4);
        await Assertions.Expect(page.Locator("#save-rules")).ToHaveCountAsync(0);

        await rows.First.Locator("a").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/customers/" + (long)first["customer"]! + "$"));
        await Assertions.Expect(page.Locator("#customer-next-actions li").First).ToHaveAttributeAsync("data-rule", (string)first["action"]!["rule"]!);
        await Assertions.Expect(page.Locator("#customer-churn-risk")).ToContainTextAsync("%");
        await UiServer.ScreenshotAsync(page, "customer-next-action");

        // The CX lead edits the rules: a wrong field is named and nothing changes; a valid edit applies at once.
        var cxo = await server.SignInAsync("cxo");
        await cxo.GotoAsync("/actions?department=sales");
        await UiServer.WaitForCircuitAsync(cxo);
        var editor = cxo.Locator("textarea#actions-rules-json");
        var original = await editor.InputValueAsync();
        await editor.FillAsync(original.Replace("\"probabilityAlive\"", "\"shoeSize\"", StringComparison.Ordinal));
        await cxo.Locator("#save-rules").ClickAsync();
        await Assertions.Expect(cxo.Locator("#actions-rules")).ToContainTextAsync("rules[3].when[3].field: unknown field 'shoeSize'");
        await editor.FillAsync(original.Replace("\"Offer an upgrade\"", "\"Offer the premium plan\"", StringComparison.Ordinal));
        await cxo.Locator("#save-rules").ClickAsync();
        await Assertions.Expect(cxo.Locator("#actions-rules-saved")).ToBeVisibleAsync();
        var rules = (await server.Api.GetFromJsonAsync<JsonObject>("/api/v1/next-best-actions/rules"))!["rules"]!.AsArray();
        Assert.Equal("Offer the premium plan", (string)rules[3]!["name"]!);
        await Assertions.Expect(cxo.Locator("#actions-worklist tbody tr").First).ToContainTextAsync("Offer the premium plan");

        // Back to the built-in rules for the other tests.
        var reset = await server.Api.PutAsJsonAsync("/api/v1/next-best-actions/rules", JsonNode.Parse(original));
        Assert.True(reset.IsSuccessStatusCode, await reset.Content.ReadAsStringAsync());
    }
}
