using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace OpenCxo.E2E;

/// <summary>Issue 5: the taxonomy edited in the web UI, refused where a term is wrong, applied to stored texts with progress.</summary>
[Collection(UiServerGroup.Name)]
public sealed class TaxonomyPageTests(UiServer server)
{
    [Fact]
    public async Task A_cxo_adds_a_theme_fixes_a_wrong_term_and_re_analyses_stored_texts()
    {
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var posted = await server.Api.PostAsJsonAsync("/api/v1/events", new JsonObject
        {
            ["events"] = new JsonArray(new JsonObject
            {
                ["id"] = "e2e-keypad-" + Guid.NewGuid().ToString("N")[..8], ["customer"] = new JsonObject { ["email"] = "keypad@example.org" },
                ["occurredAt"] = DateTime.UtcNow.AddMinutes(-5).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                ["department"] = "service", ["channel"] = "chat", ["type"] = "ticket.opened", ["text"] = "El teclado numérico pita sin parar",
            }),
        });
        Assert.True(posted.IsSuccessStatusCode);

        var page = await server.SignInAsync("cxo");
        await page.GotoAsync("/feedback");
        await UiServer.WaitForCircuitAsync(page);
        await page.Locator("#edit-taxonomy").ClickAsync();
        await Assertions.Expect(page.Locator("#taxonomy-status")).ToContainTextAsync("ships with OpenCXO");
        await UiServer.WaitForCircuitAsync(page);

        await page.Locator("#add-theme").ClickAsync();
        var entry = page.Locator(".cxo-taxonomy-entry").Nth(17);
        await entry.GetByLabel("Key", new() { Exact = true }).FillAsync("keypad");
        await entry.GetByLabel("Name (English)").FillAsync("Keypad");
        await entry.GetByLabel("Name (Spanish)").FillAsync("Teclado");
        await entry.GetByLabel("Terms (English)").FillAsync("keypad\nkey*");
        await entry.GetByLabel("Terms (Spanish)").FillAsync("teclado*");
        await page.Locator("#save-taxonomy").ClickAsync();
        await Assertions.Expect(page.Locator("#taxonomy-errors")).ToContainTextAsync("themes[17].terms.en[1]");

        await entry.GetByLabel("Terms (English)").FillAsync("keypad\nkeypads");
        await page.Locator("#save-taxonomy").ClickAsync();
        await Assertions.Expect(page.Locator("#taxonomy-saved")).ToContainTextAsync("revision 1");
        await Assertions.Expect(page.Locator("#taxonomy-status")).ToContainTextAsync("revision 1");
        await AccessibilityTests.AssertAccessibleAsync(page, "/feedback/taxonomy");

        await page.Locator("#start-reanalysis").ClickAsync();
        await Assertions.Expect(page.Locator("#reanalysis-done")).ToBeVisibleAsync(new() { Timeout = 120_000 });
        var themes = await server.Api.GetFromJsonAsync<JsonObject>($"/api/v1/feedback/themes?from={today}&to={today}");
        var keypad = themes!["themes"]!.AsArray().Single(t => (string)t!["key"]! == "keypad")!;
        Assert.True((int)keypad["texts"]! >= 1);
        Assert.Equal("Teclado", (string)keypad["name"]!["es"]!);

        // Back to the shipped taxonomy, for the other tests of this server.
        await page.Locator("#reset-taxonomy").ClickAsync();
        await Assertions.Expect(page.Locator("#taxonomy-status")).ToContainTextAsync("ships with OpenCXO");
        await page.Locator("#start-reanalysis").ClickAsync();
        await Assertions.Expect(page.Locator("#reanalysis-done")).ToBeVisibleAsync(new() { Timeout = 120_000 });
    }

    [Theory]
    [InlineData("viewer")]
    [InlineData("service")]
    public async Task Only_admins_and_the_cxo_edit_the_taxonomy(string role)
    {
        var page = await server.SignInAsync(role);
        var response = await page.GotoAsync("/feedback/taxonomy");
        Assert.Equal(403, response!.Status);
        await page.GotoAsync("/feedback");
        await UiServer.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("#edit-taxonomy")).ToHaveCountAsync(0);
    }
}
