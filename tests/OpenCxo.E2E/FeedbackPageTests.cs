using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace OpenCxo.E2E;

/// <summary>
/// Issue 5 in Chromium: themes by volume and sentiment with the API's numbers, verbatims with highlighted words, and
/// personal data planted in a text masked on every page and in the CSV export for everyone but admins.
/// </summary>
[Collection(UiServerGroup.Name)]
public sealed class FeedbackPageTests(UiServer server)
{
    private static readonly string[] Planted = ["plantado.e2e@example.com", "612 345 678", "4111 1111 1111 1111"];

    /// <summary>
    /// Posts one ticket with personal data in its text and waits until the analysis job has read it, and so every text
    /// before it (the job goes in order).
    /// </summary>
    private async Task<(string EventId, long CustomerId, string Day)> PlantAsync()
    {
        var id = "e2e-pii-" + Guid.NewGuid().ToString("N")[..8];
        var email = id + "@example.org";
        // In the past but on today's date (UTC), whatever the hour: the tests read today's texts.
        var now = DateTime.UtcNow;
        var occurred = now.AddMinutes(-30) < now.Date ? now.Date : now.AddMinutes(-30);
        var at = occurred.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var posted = await server.Api.PostAsJsonAsync("/api/v1/events", new JsonObject
        {
            ["events"] = new JsonArray(new JsonObject
            {
                ["id"] = id, ["customer"] = new JsonObject { ["email"] = email }, ["occurredAt"] = at, ["department"] = "service", ["channel"] = "chat",
                ["type"] = "ticket.opened",
                ["text"] = $"Me habéis cobrado dos veces la factura. Llamadme al {Planted[1]} o escribid a {Planted[0]}, la tarjeta es {Planted[2]}.",
            }),
        });
        Assert.True(posted.IsSuccessStatusCode, await posted.Content.ReadAsStringAsync());
        var today = occurred.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        for (var attempt = 0; attempt < 60; attempt++)
        {
            var page = await server.Api.GetFromJsonAsync<JsonObject>($"/api/v1/feedback/verbatims?from={today}&to={today}&theme=billing&limit=200");
            if (page!["verbatims"]!.AsArray().Any(v => (string)v!["eventId"]! == id))
            {
                var customer = await server.Api.GetFromJsonAsync<JsonObject>("/api/v1/customers?email=" + Uri.EscapeDataString(email));
                return (id, (long)customer!["id"]!, today);
            }

            await Task.Delay(500);
        }

        throw new TimeoutException("the text was not analysed within 30 s\n" + server.Output);
    }

    [Fact]
    public async Task Themes_match_the_api_verbatims_are_highlighted_and_planted_personal_data_never_shows()
    {
        var (eventId, customerId, today) = await PlantAsync();
        var api = await server.Api.GetFromJsonAsync<JsonObject>($"/api/v1/feedback/themes?from={today}&to={today}");
        var billingTexts = (long)api!["themes"]!.AsArray().Single(t => (string)t!["key"]! == "billing")!["texts"]!;

        var page = await server.SignInAsync("service");
        await page.GotoAsync($"/feedback?from={today}&to={today}");
        await UiServer.WaitForCircuitAsync(page);
        var billing = page.Locator("#feedback-themes tr[data-theme='billing']");
        await Assertions.Expect(billing.Locator("td").First).ToHaveTextAsync(billingTexts.ToString("N0", CultureInfo.GetCultureInfo("en-GB")));
        await AccessibilityTests.AssertAccessibleAsync(page, "/feedback");

        await billing.GetByRole(AriaRole.Button).ClickAsync();
        var verbatims = page.Locator("#feedback-verbatims");
        var mine = verbatims.Locator("li", new() { HasText = "[phone]" }).First;
        await Assertions.Expect(mine).ToContainTextAsync("[email]");
        await Assertions.Expect(mine).ToContainTextAsync("[card]");
        await Assertions.Expect(mine.Locator("mark").First).ToBeVisibleAsync();
        await UiServer.ScreenshotAsync(page, "feedback");
        await AssertNothingPlantedAsync(await page.ContentAsync(), "/feedback");

        // The customer's timeline and the explorer show the same text masked; so does the explorer's CSV export.
        await page.GotoAsync($"/customers/{customerId}");
        await UiServer.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator(".cxo-touchpoint-text").First).ToContainTextAsync("[phone]");
        await AssertNothingPlantedAsync(await page.ContentAsync(), "customer page");
        await page.GotoAsync($"/touchpoints?from={today}&to={today}&customer={customerId}");
        await UiServer.WaitForCircuitAsync(page);
        await Assertions.Expect(page.GetByText("[card]").First).ToBeVisibleAsync();
        await AssertNothingPlantedAsync(await page.ContentAsync(), "explorer");
        var export = await page.Context.APIRequest.GetAsync(server.Url + $"/export/touchpoints.csv?from={today}&to={today}&customer={customerId}");
        Assert.True(export.Ok);
        var csv = await export.TextAsync();
        Assert.Contains(eventId, csv, StringComparison.Ordinal);
        await AssertNothingPlantedAsync(csv, "CSV export");

        // An admin reads the words as written.
        var admin = await server.SignInAsync("admin");
        await admin.GotoAsync($"/customers/{customerId}");
        await UiServer.WaitForCircuitAsync(admin);
        await Assertions.Expect(admin.Locator(".cxo-touchpoint-text").First).ToContainTextAsync(Planted[0]);
    }

    [Fact]
    public async Task The_team_filter_reads_only_that_teams_texts_and_stays_in_the_url()
    {
        // The demo's texts are analysed in the first seconds after start: wait until the count holds still.
        var (_, _, today) = await PlantAsync();
        var all = (long)(await server.Api.GetFromJsonAsync<JsonObject>($"/api/v1/feedback/themes?from=2024-01-01&to={today}"))!["texts"]!;
        var night = (long)(await server.Api.GetFromJsonAsync<JsonObject>($"/api/v1/feedback/themes?from=2024-01-01&to={today}&team=night"))!["texts"]!;
        Assert.InRange(night, 1, all - 1);

        var page = await server.SignInAsync("cxo");
        await page.GotoAsync($"/feedback?from=2024-01-01&to={today}&team=night");
        await UiServer.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator(".cxo-kpi-value").First).ToHaveTextAsync(night.ToString("N0", CultureInfo.GetCultureInfo("en-GB")));
        await Assertions.Expect(page.GetByLabel("Teams", new() { Exact = true }).First).ToHaveValueAsync("night");
    }

    [Fact]
    public async Task A_viewer_sees_themes_but_no_verbatims()
    {
        var page = await server.SignInAsync("viewer", locale: "es-ES");
        await page.GotoAsync("/feedback?from=2024-01-01");
        await UiServer.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Lo que dicen los clientes");
        await Assertions.Expect(page.Locator("#feedback-themes tbody tr").First).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#feedback-themes tbody button")).ToHaveCountAsync(0);
    }

    private static Task AssertNothingPlantedAsync(string content, string where)
    {
        foreach (var secret in Planted)
        {
            Assert.False(content.Contains(secret, StringComparison.Ordinal), $"{where} shows '{secret}'");
        }

        return Task.CompletedTask;
    }
}
