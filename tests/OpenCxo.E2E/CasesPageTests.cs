using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace OpenCxo.E2E;

/// <summary>Issue 8: the case inbox lists what the API lists, and a case is worked from it.</summary>
[Collection(UiServerGroup.Name)]
public sealed class CasesPageTests(UiServer server)
{
    [Fact]
    public async Task The_inbox_shows_the_open_cases_and_a_case_is_worked_from_it()
    {
        var sweep = await server.Api.PostAsync("/api/v1/cases/sweep", null);
        Assert.True(sweep.IsSuccessStatusCode, await sweep.Content.ReadAsStringAsync());
        var open = (await server.Api.GetFromJsonAsync<JsonObject>("/api/v1/cases?status=open&department=service&limit=200"))!;
        Assert.True((long)open["total"]! > 0, "the demo's detractors open cases");

        var page = await server.SignInAsync("service");
        await page.GotoAsync("/cases?status=open&department=service");
        await UiServer.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("#cases-total")).ToContainTextAsync(((long)open["total"]!).ToString("N0", System.Globalization.CultureInfo.GetCultureInfo("en-GB")));
        var first = page.Locator("#cases-list tbody tr").First;
        var id = await first.GetAttributeAsync("data-case");
        await first.Locator("button").ClickAsync();
        await Assertions.Expect(page.Locator("#case-status")).ToContainTextAsync("New");
        await page.Locator("textarea#case-note").FillAsync("Llamada hecha, revisamos la factura");
        await page.Locator("#case-contact").ClickAsync();
        await Assertions.Expect(page.Locator("#case-status")).ToContainTextAsync("Contacted");
        await Assertions.Expect(page.Locator("#case-notes li[data-kind='note']")).ToContainTextAsync("Llamada hecha");
        await UiServer.ScreenshotAsync(page, "cases-inbox");
        await AccessibilityTests.AssertAccessibleAsync(page, "/cases");

        var detail = (await server.Api.GetFromJsonAsync<JsonObject>($"/api/v1/cases/{id}"))!;
        Assert.Equal("contacted", (string)detail["case"]!["status"]!);
    }
}
